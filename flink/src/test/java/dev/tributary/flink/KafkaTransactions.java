package dev.tributary.flink;

import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;

/**
 * Prints the transactional id of every transaction the broker knows (Admin#listTransactions), one a
 * line: which ids a Flink job's exactly-once KafkaSink used. Usage: KafkaTransactions brokers.
 */
public final class KafkaTransactions {
  private KafkaTransactions() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", args[0]);
    try (Admin a = Admin.create(p)) {
      for (TransactionListing t : a.listTransactions().all().get()) System.out.println(t.transactionalId());
    }
  }
}
