import type { QueueClient } from "@azure/storage-queue";
import type { JobQueue } from "../../app/ports/JobQueue";
import type { QueueMessage } from "../../core/jobs/backup-range";
import { codeOf } from "./clients";

/**
 * The jobs queue. Messages are base64 JSON, the encoding the Functions queue trigger
 * expects by default (host.json extensions.queues.messageEncoding). Creates the queue
 * when a send finds it missing (the Bicep creates it in Azure).
 */
export class AzureJobQueue implements JobQueue {
  readonly description: string;

  constructor(private readonly client: QueueClient) {
    this.description = `queue ${client.name}`;
  }

  async send(message: QueueMessage): Promise<void> {
    const text = Buffer.from(JSON.stringify(message), "utf8").toString("base64");
    try {
      await this.client.sendMessage(text);
    } catch (err) {
      // Created only when missing: an operator may hold the Message Sender role alone, which cannot create queues.
      if (codeOf(err) !== "QueueNotFound") throw err;
      await this.client.createIfNotExists();
      await this.client.sendMessage(text);
    }
  }
}
