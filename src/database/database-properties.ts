import { DataBaseCore } from "./database-core.js";

/**
 * The DataBase device's property commands. Placeholder on the names branch until the property
 * commands land: the names layer (database.ts) builds on this class.
 */
export abstract class DataBaseProperties extends DataBaseCore {}
