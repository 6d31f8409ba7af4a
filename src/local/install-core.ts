// Imported first by the local host: from here on, `@azure/functions` registers with
// the recorder in functions-host.ts instead of switching to its test mode.
import { installFunctionsCore } from "./functions-host";

installFunctionsCore();
