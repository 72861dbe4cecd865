// Structural pruning: dependency groups, channel importance, channel costs and the surgery that removes channels.

export { analyzePruneGroups, findPruneGroups } from './dependency-graph.js';
export { channelCost, groupCosts } from './channel-cost.js';
export { activationValues, normalizeScores, rankChannels, scoreChannels } from './criteria.js';
export type { Criterion, CriterionKind, GroupScores, Normalization, RankedChannel } from './criteria.js';
export { dropAlongAxis, pruneChannels } from './prune-channels.js';
export type { ChannelRemovals } from './prune-channels.js';
export { spanPositions } from './types.js';
export { uniformRemovals } from './uniform.js';
export type * from './types.js';
export { permuteChannels } from './permute-channels.js';
export type { ChannelOrders } from './permute-channels.js';
