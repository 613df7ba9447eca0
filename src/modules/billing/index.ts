/** What other modules may use of the billing module. */
export { BillingModule } from './billing.module.js';
