export {
  contractKey,
  ContractErrorCode,
  deadLetterTopic,
  isKnownContract,
  listContracts,
  topicFor,
  Topics,
  validateEnvelope,
  type ContractInfo,
  type ContractKey,
  type EventEnvelope,
  type PayloadOf,
} from './registry.js';
export type * from './generated/contracts.js';
