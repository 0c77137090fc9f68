package dev.tributary.flink.email;

import dev.tributary.flink.Rec;
import dev.tributary.flink.redis.KeyTemplate;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * One message per record through Jakarta Mail's SMTP transport, with the embedded sink's rules
 * (runtime/connectors/smtp/mailer.ts, runtime/nodes/sink-email/operator.ts): the same
 * message (from, to, subject, a text and/or an html part, as multipart/alternative when both),
 * `capacity` connections reused across messages, at most `rateLimit` starts in any window,
 * retries with backoff·2^n after a connection error, a timeout or a 4xx (a login refused for now
 * too), none after a 5xx. A login refused for good or a certificate that does not verify fails the job (every message would fail);
 * an undeliverable message, or a record a template cannot be filled from, completes with its
 * `errors` record `{node, error, record, code}`. Each attempt blocks one of `capacity` threads.
 */
final class EmailDelivery extends RichAsyncFunction<Rec, Rec> {
  private static final long serialVersionUID = 1L;

  /** The node's resolved settings (environment references already filled in). */
  record Settings(String host, int port, String security, String caPem, boolean rejectUnauthorized, String user, String password, String from,
      KeyTemplate to, KeyTemplate subject, KeyTemplate text, KeyTemplate html, int retries, long backoff, long timeout, int capacity,
      Integer rateMessages, long ratePer) implements java.io.Serializable {
    /** A record's own toString would print the password; this one never does. */
    @Override
    public String toString() {
      return "sink.email " + user + "@" + host + ":" + port + " (" + security + ")";
    }
  }

  private final String nodeId;
  private final boolean errorsConnected;
  private final Settings s;
  private transient Session session;
  private transient BlockingQueue<Transport> idle;
  private transient ExecutorService threads;
  private transient SlidingWindowLimit limit;
  private transient InternetAddress[] sender;
  /** Set on close: a connection still in use then is closed when its message is done, not parked. */
  private transient volatile boolean closed;

  EmailDelivery(String nodeId, boolean errorsConnected, Settings s) {
    this.nodeId = nodeId;
    this.errorsConnected = errorsConnected;
    this.s = s;
  }

  private String server() {
    return s.host() + ":" + s.port();
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    boolean tls = s.security().equals("tls");
    String proto = tls ? "smtps" : "smtp";
    Properties p = new Properties();
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", s.host());
    p.put("mail." + proto + ".port", String.valueOf(s.port()));
    p.put("mail." + proto + ".connectiontimeout", String.valueOf(s.timeout()));
    p.put("mail." + proto + ".timeout", String.valueOf(s.timeout()));
    p.put("mail." + proto + ".writetimeout", String.valueOf(s.timeout()));
    p.put("mail." + proto + ".auth", String.valueOf(s.user() != null));
    // nodemailer's: messages to the accepted recipients go out when some are refused.
    p.put("mail." + proto + ".sendpartial", "true");
    if (s.security().equals("starttls")) {
      // requireTLS: no STARTTLS, no message.
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    if (!s.security().equals("none")) {
      p.put("mail." + proto + ".ssl.socketFactory", sslContext().getSocketFactory());
      p.put("mail." + proto + ".ssl.checkserveridentity", String.valueOf(s.rejectUnauthorized()));
    }
    session = Session.getInstance(p);
    idle = new ArrayBlockingQueue<>(s.capacity());
    threads = Executors.newFixedThreadPool(s.capacity(), r -> {
      Thread t = new Thread(r, "sink.email " + nodeId);
      t.setDaemon(true);
      return t;
    });
    limit = s.rateMessages() == null ? null : new SlidingWindowLimit(s.rateMessages(), s.ratePer());
    sender = InternetAddress.parse(s.from());
  }

  /** The JDK's trusted authorities plus `ca`; or trust in anything with rejectUnauthorized: false. */
  private SSLContext sslContext() throws Exception {
    SSLContext c = SSLContext.getInstance("TLS");
    if (!s.rejectUnauthorized()) {
      X509TrustManager any = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      };
      c.init(null, new TrustManager[] {any}, null);
      return c;
    }
    if (s.caPem() == null) {
      c.init(null, null, null);
      return c;
    }
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    sys.init((KeyStore) null);
    int i = 0;
    for (TrustManager tm : sys.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) for (X509Certificate cert : x.getAcceptedIssuers()) ks.setCertificateEntry("system-" + i++, cert);
    }
    for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(s.caPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
      ks.setCertificateEntry("ca-" + i++, cert);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    c.init(null, tmf.getTrustManagers(), null);
    return c;
  }

  static String readCa(String path, String nodeId) {
    try {
      return Files.readString(Path.of(path));
    } catch (java.io.IOException e) {
      throw new NodeFailure(nodeId, "ca: cannot read " + path + ": " + e.getMessage());
    }
  }

  @Override
  public void close() throws Exception {
    closed = true;
    if (threads != null) threads.shutdownNow();
    if (idle != null) for (Transport t; (t = idle.poll()) != null; ) close(t);
  }

  @Override
  public void timeout(Rec r, ResultFuture<Rec> result) {
    fail(r, "mail via " + server() + ": no outcome within " + budget(s) + " ms over all attempts", null, result);
  }

  static long budget(Settings s) {
    return budget(s.retries(), s.backoff(), s.timeout(), s.capacity(), s.rateMessages() == null ? 0 : s.rateMessages(), s.ratePer());
  }

  /**
   * Flink's Async I/O timeout, only a backstop: each attempt has its own, and the waits between
   * them count, as does each attempt's wait for a start under `rateLimit` (the `capacity`
   * messages in flight share it: at most ⌈capacity / messages⌉ windows of `per`).
   */
  static long budget(int retries, long backoff, long timeout, int capacity, int rateMessages, long ratePer) {
    long rateWait = rateMessages <= 0 ? 0 : Math.min(Long.MAX_VALUE / 8, ((capacity + rateMessages - 1L) / rateMessages) * ratePer);
    long total = 60_000L;
    for (int n = 0; n <= retries && total < Long.MAX_VALUE / 4; n++) {
      total += 4 * timeout + rateWait;
      if (n < retries) total += n >= 40 ? Long.MAX_VALUE / 8 : Math.min(Long.MAX_VALUE / 8, backoff << n);
    }
    return Math.min(total, Long.MAX_VALUE / 4);
  }

  @Override
  public void asyncInvoke(Rec r, ResultFuture<Rec> result) {
    MimeMessage msg;
    String to;
    try {
      to = s.to().fill(r.value);
      String subject = s.subject().fill(r.value);
      String text = s.text() == null ? null : s.text().fill(r.value);
      String html = s.html() == null ? null : s.html().fill(r.value);
      msg = message(to, subject, text, html);
    } catch (IllegalArgumentException | MessagingException e) {
      fail(r, e.getMessage(), null, result);
      return;
    }
    CompletableFuture.runAsync(() -> deliver(r, to, msg, result), threads).exceptionally(e -> {
      result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
      return null;
    });
  }

  private MimeMessage message(String to, String subject, String text, String html) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(sender[0]);
    m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
    m.setSubject(subject, "UTF-8");
    if (text != null && html != null) {
      MimeMultipart alt = new MimeMultipart("alternative");
      MimeBodyPart t = new MimeBodyPart();
      t.setText(text, "UTF-8");
      MimeBodyPart h = new MimeBodyPart();
      h.setText(html, "UTF-8", "html");
      alt.addBodyPart(t);
      alt.addBodyPart(h);
      m.setContent(alt);
    } else if (html != null) {
      m.setText(html, "UTF-8", "html");
    } else {
      m.setText(text, "UTF-8");
    }
    m.saveChanges();
    return m;
  }

  private void deliver(Rec r, String to, MimeMessage msg, ResultFuture<Rec> result) {
    Integer code = null;
    String error = "not sent";
    int attempts = 0;
    for (int attempt = 0; attempt <= s.retries(); attempt++) {
      attempts = attempt + 1;
      if (limit != null) sleep(limit.reserve());
      Transport t = idle.poll();
      try {
        if (t == null) t = session.getTransport();
        if (!t.isConnected()) {
          if (s.user() != null) t.connect(s.host(), s.port(), s.user(), s.password());
          else t.connect();
        }
        t.sendMessage(msg, msg.getAllRecipients());
        park(t);
        result.complete(Collections.emptyList());
        return;
      } catch (SendFailedException e) {
        // Some recipients accepted: sent, as nodemailer reports it.
        if (e.getValidSentAddresses() != null && e.getValidSentAddresses().length > 0) {
          park(t);
          result.complete(Collections.emptyList());
          return;
        }
        code = replyCode(e);
        error = describe(e);
        // A fresh connection for the next attempt: this one's state after a refusal is the server's to decide.
        close(t);
      } catch (AuthenticationFailedException e) {
        close(t);
        // As mailer.ts: a temporary refusal of the login (454) is retried like any 4xx; a
        // permanent one, or one without a code, fails the job (every message would fail).
        code = leadingCode(e.getMessage());
        if (code == null || code >= 500) {
          result.completeExceptionally(new NodeFailure(nodeId, server() + " refused the login: " + e.getMessage()));
          return;
        }
        error = describe(e);
      } catch (MessagingException e) {
        close(t);
        if (causedBy(e, SSLHandshakeException.class)) {
          result.completeExceptionally(new NodeFailure(nodeId, server() + ": the server's TLS certificate does not verify (" + describe(e)
              + "); give its authority in 'ca', or set rejectUnauthorized: false for a test server"));
          return;
        }
        code = replyCode(e);
        error = describe(e);
      }
      // A permanent refusal (5xx: unknown recipient, message rejected) will not change on retry.
      if (code != null && code >= 500) break;
      if (attempt < s.retries()) sleep(attempt >= 40 ? Long.MAX_VALUE / 8 : s.backoff() << attempt);
    }
    fail(r, "mail to " + to + " via " + server() + " failed after " + attempts + " attempt" + (attempts > 1 ? "s" : "") + ": " + error, code, result);
  }

  /** Keep a working connection for the next message, or close it once the function is closed. */
  private void park(Transport t) {
    if (closed || !idle.offer(t)) close(t);
    else if (closed && idle.remove(t)) close(t);
  }

  private static void close(Transport t) {
    if (t == null) return;
    try {
      t.close();
    } catch (MessagingException ignored) {
      // Closing a broken connection: nothing more to do.
    }
  }

  private static void sleep(long ms) {
    if (ms <= 0) return;
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static boolean causedBy(Throwable e, Class<?> type) {
    for (Throwable c = e; c != null; c = c.getCause() != c ? c.getCause() : null) if (type.isInstance(c)) return true;
    return false;
  }

  /** The reply code a server's response line starts with ("454 4.7.0 …"), or null. */
  static Integer leadingCode(String response) {
    if (response == null) return null;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*([2-5]\\d\\d)(?:[ -]|$)").matcher(response);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  /** The SMTP reply code of the refusal, wherever Jakarta Mail nests it. */
  private static Integer replyCode(Exception e) {
    for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
      if (x instanceof SMTPAddressFailedException a) return a.getReturnCode();
      if (x instanceof SMTPSenderFailedException a) return a.getReturnCode();
      if (x instanceof SMTPSendFailedException a) return a.getReturnCode();
    }
    return null;
  }

  /** The server's own words where it gave some, else the exception's. */
  private static String describe(Exception e) {
    List<String> parts = new ArrayList<>();
    for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
      if (x.getMessage() != null && !x.getMessage().isBlank()) parts.add(x.getMessage().trim());
    }
    return parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
  }

  private void fail(Rec r, String error, Integer code, ResultFuture<Rec> result) {
    if (!errorsConnected) {
      result.completeExceptionally(NodeFunction.failure(nodeId, error, r.value));
      return;
    }
    Map<String, Object> e = NodeFunction.errorRecord(nodeId, error, r.value);
    e.put("code", code == null ? null : (Object) (double) code);
    result.complete(List.of(new Rec(e, null)));
  }
}
