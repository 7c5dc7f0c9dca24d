export {
  encodeId,
  decodeId,
  isId,
  tableNumberOfId,
  newDocumentId,
  claimedTableNumber,
  MIN_ID_LENGTH,
  MAX_ID_LENGTH,
  type DecodedId,
} from "./document-id.js";
export { encodeBase32, decodeBase32, BASE32_ALPHABET } from "./base32.js";
export { fletcher16 } from "./checksum.js";
