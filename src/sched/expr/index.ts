/** The scheduler's expression languages: REQUIREMENTS (boolean filters of hosts, datastores, networks)
 *  and RANK (arithmetic preference, higher is better). */
export { attributesOf, type Attributes } from './values.js';
export { ExpressionError } from './lexer.js';
export { parseRequirements, type Requirements } from './requirements.js';
export { parseRank, RankError, type Rank } from './rank.js';
export { globMatch } from './glob.js';
