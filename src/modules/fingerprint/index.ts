/** What other modules may use of the fingerprint module. */
export { FingerprintModule } from './fingerprint.module.js';
