import { searchSubgraphSuite } from './search.suite.js';

// The same end-to-end suite with SEARCH_ENGINE=postgres: documents in search's own database.
searchSubgraphSuite('postgres');
