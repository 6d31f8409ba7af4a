import type { EntityRecord } from "../entity/record";

/** The largest entity Azure Tables stores, in bytes of its size rule. */
export const MAX_ENTITY_BYTES = 1024 * 1024;

/**
 * An entity's size as Azure Tables counts it: 4 bytes, plus 2 per character of
 * PartitionKey and RowKey, plus per property 8 bytes, 2 per character of its name and its
 * value's size (String 4 + 2 per UTF-16 unit, Binary 4 + its bytes, Int32 4, Int64, Double
 * and DateTime 8, Guid 16, Boolean 1). Never throws.
 */
export function entitySize(r: EntityRecord): number {
  let size = 4 + (r.pk.length + r.rk.length) * 2;
  for (const name in r.props) {
    const [type, value] = r.props[name]!;
    size += 8 + name.length * 2;
    switch (type) {
      case "String":
        size += 4 + value.length * 2;
        break;
      case "Binary":
        size += 4 + Math.floor((value.length * 3) / 4) - (value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0);
        break;
      case "Int32":
        size += 4;
        break;
      case "Boolean":
        size += 1;
        break;
      case "Guid":
        size += 16;
        break;
      default:
        size += 8;
    }
  }
  return size;
}
