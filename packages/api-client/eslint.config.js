import { config } from '@tasks/eslint-config';

export default config({ tsconfigRootDir: import.meta.dirname });
