import { useState, type FormEvent } from 'react';
import { formErrorsOf, type FormErrors } from './errors.js';

const NO_ERRORS: FormErrors = { fields: {} };

export interface SubmitOptions<T> {
  /** The form's field names: problem errors on these show under the field, the rest above the form. */
  fields?: readonly string[];
  onSuccess?(result: T): void;
}

export interface Submitter {
  busy: boolean;
  errors: FormErrors;
  clearErrors(): void;
  /** Shows a failure that did not come from a submission (e.g. reading what the form belongs to). */
  showError(error: unknown, fields?: readonly string[]): void;
  /** Runs one submission: busy while it runs, errors cleared before and set from a failure. */
  run<T>(action: () => Promise<T>, options?: SubmitOptions<T>): Promise<void>;
  /** The same as an `onSubmit` handler (no native form submission). */
  onSubmit<T>(action: () => Promise<T>, options?: SubmitOptions<T>): (event: FormEvent) => void;
}

/**
 * The busy/errors/submit state every form shares. `toErrors` turns a failure into what the form
 * shows (and may react to it, e.g. end the session); by default the problem document's field errors.
 */
export function useSubmit(
  toErrors: (error: unknown, fields: readonly string[]) => FormErrors = formErrorsOf,
): Submitter {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  const run = async <T,>(action: () => Promise<T>, options: SubmitOptions<T> = {}) => {
    setBusy(true);
    setErrors(NO_ERRORS);
    let result: T;
    try {
      result = await action();
    } catch (error) {
      setErrors(toErrors(error, options.fields ?? []));
      setBusy(false);
      return;
    }
    setBusy(false);
    options.onSuccess?.(result);
  };

  return {
    busy,
    errors,
    clearErrors: () => setErrors(NO_ERRORS),
    showError: (error, fields = []) => setErrors(toErrors(error, fields)),
    run,
    onSubmit: (action, options) => (event) => {
      event.preventDefault();
      void run(action, options);
    },
  };
}
