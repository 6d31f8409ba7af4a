/** Azure naming rules Lifeboat checks before it sends a name anywhere. */

/** A table name: a letter, then 2-62 letters or digits. */
export const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
export const TABLE_NAME_RULE = "a letter, then 2-62 letters or digits";

/** A blob container name: 3-63 lowercase letters, digits and single hyphens, not at either end. */
export const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
export const CONTAINER_NAME_RULE = "3-63 lowercase letters, digits, single hyphens";
