import type { ReactNode } from 'react';

/** Props that tie a control to its label and error message for assistive technology. */
export function controlProps(id: string, error: string | undefined) {
  return {
    id,
    'aria-invalid': error !== undefined ? true : undefined,
    'aria-describedby': error !== undefined ? `${id}-error` : undefined,
  } as const;
}

interface FieldProps {
  id: string;
  label: string;
  error: string | undefined;
  children: ReactNode;
}

/** A labelled control with its validation message right beneath it. */
export function Field({ id, label, error, children }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error !== undefined && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A message about the whole form or screen, announced to screen readers. */
export function Alert({ message, tone = 'error' }: { message: string | undefined; tone?: 'error' | 'info' }) {
  if (message === undefined) return null;
  return (
    <p className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {message}
    </p>
  );
}
