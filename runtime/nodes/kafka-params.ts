// Connection params shared by the Kafka source and sink (isomorphic: specs import it).
import { z } from 'zod';
import { envString, filePath } from '../format/params.js';

export const kafkaConnectionParams = {
  // One string (`"a:9092,b:9092"`, as Kafka's `bootstrap.servers`) or a list of them (natural in
  // JSON); the form edits it as a list and keeps whichever shape the file had.
  brokers: z
    .union([envString('Bootstrap brokers, comma-separated `host:port`.'), z.array(envString('A bootstrap broker, `host:port`.')).min(1)])
    .meta({ description: 'Bootstrap brokers: `host:port`, comma-separated in one string or as a list; each may use `${NAME}` / `${NAME:-default}` environment references.' }),
  clientId: z.string().min(1).optional().meta({ description: 'Client id the brokers see in logs and quotas. Unset: `tributary-<node id>`.' }),
  ssl: z
    .strictObject({
      ca: filePath('PEM file of the certificate authorities to trust. Unset: the system\'s.').optional(),
      cert: filePath('PEM client certificate, for mutual TLS.').optional(),
      key: filePath('PEM private key of `cert`.').optional(),
      rejectUnauthorized: z.boolean().default(true).meta({ description: 'Refuse brokers whose certificate does not verify.' }),
    })
    .optional()
    .meta({ description: 'Connect over TLS (`{}` trusts the system\'s authorities). Unset: plaintext.' }),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).meta({ description: 'SASL mechanism.' }),
      username: envString('User name.'),
      password: envString('Password; write an environment reference such as `${KAFKA_PASSWORD}` rather than the secret itself.'),
    })
    .optional()
    .meta({ description: 'SASL authentication.' }),
};
