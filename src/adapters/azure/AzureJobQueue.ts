import type { QueueClient } from "@azure/storage-queue";
import type { JobQueue } from "../../app/ports/JobQueue";
import type { JobMessage } from "../../core/jobs/job";

/**
 * The jobs queue. Messages are base64 JSON, the encoding the Functions queue trigger
 * expects by default (host.json extensions.queues.messageEncoding). Creates the queue
 * on first send.
 */
export class AzureJobQueue implements JobQueue {
  readonly description: string;
  #ready: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {
    this.description = `queue ${client.name}`;
  }

  async send(message: JobMessage): Promise<void> {
    this.#ready ??= this.client.createIfNotExists().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    await this.#ready;
    await this.client.sendMessage(Buffer.from(JSON.stringify(message), "utf8").toString("base64"));
  }
}
