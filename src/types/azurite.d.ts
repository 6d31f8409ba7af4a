// Minimal typings for the parts of Azurite that Lifeboat starts in-process.
// Azurite ships no .d.ts; these mirror dist/src/{blob,table,queue}/*Configuration.js (3.35).
declare module "azurite/dist/src/common/ServerBase" {
  export default class ServerBase {
    start(): Promise<void>;
    close(): Promise<void>;
    clean(): Promise<void>;
    getHttpServerAddress(): string;
  }
}
declare module "azurite/dist/src/blob/BlobConfiguration" {
  export default class BlobConfiguration {
    constructor(
      host?: string, port?: number, keepAliveTimeout?: number, metadataDBPath?: string, extentDBPath?: string,
      persistencePathArray?: { locationId: string; locationPath: string; maxConcurrency: number }[],
      enableAccessLog?: boolean, accessLogWriteStream?: unknown, enableDebugLog?: boolean, debugLogFilePath?: string,
      loose?: boolean, skipApiVersionCheck?: boolean, cert?: string, key?: string, pwd?: string, oauth?: string,
      disableProductStyleUrl?: boolean, isMemoryPersistence?: boolean, memoryStore?: unknown,
    );
  }
}
declare module "azurite/dist/src/blob/BlobServer" {
  import ServerBase from "azurite/dist/src/common/ServerBase";
  import BlobConfiguration from "azurite/dist/src/blob/BlobConfiguration";
  export default class BlobServer extends ServerBase { constructor(configuration: BlobConfiguration); }
}
declare module "azurite/dist/src/table/TableConfiguration" {
  export default class TableConfiguration {
    constructor(
      host?: string, port?: number, keepAliveTimeout?: number, metadataDBPath?: string,
      enableDebugLog?: boolean, enableAccessLog?: boolean, accessLogWriteStream?: unknown, debugLogFilePath?: string,
      loose?: boolean, skipApiVersionCheck?: boolean, cert?: string, key?: string, pwd?: string, oauth?: string,
      disableProductStyleUrl?: boolean, isMemoryPersistence?: boolean,
    );
  }
}
declare module "azurite/dist/src/table/TableServer" {
  import ServerBase from "azurite/dist/src/common/ServerBase";
  import TableConfiguration from "azurite/dist/src/table/TableConfiguration";
  export default class TableServer extends ServerBase { constructor(configuration: TableConfiguration); }
}
declare module "azurite/dist/src/queue/QueueConfiguration" {
  export default class QueueConfiguration {
    constructor(
      host?: string, port?: number, keepAliveTimeout?: number, metadataDBPath?: string, extentDBPath?: string,
      persistencePathArray?: { locationId: string; locationPath: string; maxConcurrency: number }[],
      enableAccessLog?: boolean, accessLogWriteStream?: unknown, enableDebugLog?: boolean, debugLogFilePath?: string,
      loose?: boolean, skipApiVersionCheck?: boolean, cert?: string, key?: string, pwd?: string, oauth?: string,
      disableProductStyleUrl?: boolean, isMemoryPersistence?: boolean,
    );
  }
}
declare module "azurite/dist/src/queue/QueueServer" {
  import ServerBase from "azurite/dist/src/common/ServerBase";
  import QueueConfiguration from "azurite/dist/src/queue/QueueConfiguration";
  export default class QueueServer extends ServerBase { constructor(configuration: QueueConfiguration); }
}
