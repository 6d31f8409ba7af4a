import { app } from "@azure/functions";

// Functions live in src/functions/*.ts; package.json "main" loads them with this file.
app.setup({ enableHttpStream: false });
