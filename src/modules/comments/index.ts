/** What other modules may use of the comments module. */
export { CommentsModule } from './comments.module.js';
