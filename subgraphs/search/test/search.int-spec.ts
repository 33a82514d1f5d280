import { searchSubgraphSuite } from './search.suite.js';

searchSubgraphSuite('elasticsearch');
