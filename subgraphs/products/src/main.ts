import { runService } from '@marketplace/platform';
import { productsService } from './service.js';

await runService(productsService);
