import { runService } from '@marketplace/platform';
import { cartService } from './service.js';

await runService(cartService);
