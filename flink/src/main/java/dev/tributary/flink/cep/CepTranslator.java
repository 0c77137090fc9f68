package dev.tributary.flink.cep;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.PatternStream;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * cep → keyBy(the record's key) → Flink CEP's Pattern API, built step by step as a Flink user
 * writes it (begin / next / followedBy / followedByAny / notNext / notFollowedBy, times /
 * timesOrMore / oneOrMore with consecutive / allowCombinations, optional, greedy, until, within,
 * the AfterMatchSkipStrategy) → PatternStream.process with a TimedOutPartialMatchHandler for
 * `timeout` and sideOutputLateData for `late`. Event time only.
 */
public final class CepTranslator implements NodeTranslator {
  /** The key of records no keyBy keyed: the embedded runtime's one global key, null. */
  static final String NO_KEY = "\u0000tributary:no-key";
  static final TypeInformation<CepEvent> EVENT = TypeInformation.of(CepEvent.class);
  static final OutputTag<Rec> TIMEOUT = NodeContext.tag("timeout");
  static final OutputTag<CepEvent> LATE = new OutputTag<>("late", EVENT);

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    if (ctx.connected("errors")) {
      throw new UnsupportedNode(ctx.id, "cep with an `errors` edge: a `where` that throws leaves the key's partial matches as if the record had not arrived, which Flink's CepOperator cannot do; remove the edge (a failing condition then fails the job, naming the node)");
    }
    if (p.path("time").asText("event").equals("processing")) {
      throw new UnsupportedNode(ctx.id, "processing-time cep is not translated (at the end of a bounded input the embedded runtime expires every partial match; Flink's processing-time CepOperator does not)");
    }
    long within = p.hasNonNull("within") ? p.get("within").asLong() : -1;
    Pattern<CepEvent, CepEvent> pattern = pattern(ctx.id, p, within);

    DataStream<CepEvent> events = ctx.input().transform(ctx.label + " (events)", EVENT, new ToEvent()).uid(ctx.helperUid("events"));
    PatternStream<CepEvent> ps = CEP.pattern(events.keyBy(new EventKey()), pattern);
    if (ctx.connected("late")) ps = ps.sideOutputLateData(LATE);
    Expr select = p.hasNonNull("select") ? Expr.of(p.get("select").get("$expr")) : null;
    SingleOutputStreamOperator<Rec> out = ps.process(new MatchFunction(ctx.id, select, within), NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", out);
    if (ctx.connected("timeout")) ctx.output("timeout", out.getSideOutput(TIMEOUT));
    if (ctx.connected("late")) {
      ctx.output("late", out.getSideOutput(LATE).map(e -> new Rec(e.value, null), NodeContext.REC).uid(ctx.helperUid("late")).name(ctx.label + " (late)"));
    }
  }

  /** The pattern as a Flink user writes it for the node's steps (spec.ts documents the mapping). */
  static Pattern<CepEvent, CepEvent> pattern(String nodeId, JsonNode p, long within) {
    JsonNode steps = p.get("pattern");
    String[] names = new String[steps.size()];
    for (int i = 0; i < names.length; i++) names[i] = steps.get(i).get("name").asText();
    Pattern<CepEvent, CepEvent> pat = null;
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      String name = names[i];
      String contiguity = s.path("contiguity").asText("relaxed");
      if (i == 0) pat = Pattern.begin(name, skip(p.path("afterMatch")));
      else if (s.path("negated").asBoolean(false)) pat = contiguity.equals("strict") ? pat.notNext(name) : pat.notFollowedBy(name);
      else if (contiguity.equals("strict")) pat = pat.next(name);
      else if (contiguity.equals("any")) pat = pat.followedByAny(name);
      else pat = pat.followedBy(name);
      pat = pat.where(condition(nodeId, "step '" + name + "' where", s.get("where"), names));
      JsonNode q = s.get("quantifier");
      boolean optional = s.path("optional").asBoolean(false);
      if (q != null && !q.isNull()) {
        int min = q.get("min").asInt();
        JsonNode max = q.get("max");
        if (max == null || max.isNull()) pat = min <= 1 ? pat.oneOrMore() : pat.timesOrMore(min);
        else if (max.asInt() == min) pat = pat.times(min);
        else pat = pat.times(min, max.asInt());
        // min 0 is times(1, n).optional() (Flink's times(0, n) applies optional itself).
        if (min == 0 && (max == null || max.isNull())) optional = true;
        else if (min == 0) optional = false;
        String inner = q.path("inner").asText("relaxed");
        if (inner.equals("strict")) pat = pat.consecutive();
        else if (inner.equals("any")) pat = pat.allowCombinations();
      }
      if (optional) pat = pat.optional();
      if (s.path("greedy").asBoolean(false)) pat = pat.greedy();
      if (s.hasNonNull("until")) pat = pat.until(condition(nodeId, "step '" + name + "' until", s.get("until"), names));
    }
    if (within > 0) pat = pat.within(Duration.ofMillis(within));
    return pat;
  }

  private static StepCondition condition(String nodeId, String what, JsonNode compiled, String[] names) {
    JsonNode e = compiled.get("$expr");
    // Reading `match` makes a condition iterative: only then is the partial match built for it.
    boolean readsMatch = e.get("ast").toString().contains("\"name\":\"match\"");
    return new StepCondition(nodeId, what, Expr.of(e), names, readsMatch);
  }

  static AfterMatchSkipStrategy skip(JsonNode a) {
    return switch (a.path("strategy").asText("noSkip")) {
      case "skipToNext" -> AfterMatchSkipStrategy.skipToNext();
      case "skipPastLastEvent" -> AfterMatchSkipStrategy.skipPastLastEvent();
      case "skipToFirst" -> AfterMatchSkipStrategy.skipToFirst(a.get("step").asText());
      case "skipToLast" -> AfterMatchSkipStrategy.skipToLast(a.get("step").asText());
      default -> AfterMatchSkipStrategy.noSkip();
    };
  }

  static final class EventKey implements KeySelector<CepEvent, Object> {
    private static final long serialVersionUID = 1L;

    @Override
    public Object getKey(CepEvent e) {
      return e.key == null ? NO_KEY : e.key;
    }
  }

  /**
   * Each record as a CepEvent with its timestamp and arrival number (ties in arrival order, as the
   * embedded runtime orders them). A record without a timestamp (a source without `eventTime`) is
   * stamped with the time it arrives, as the embedded runtime's sources stamp it: Flink's
   * CepOperator would otherwise take it for late (Long.MIN_VALUE is never ahead of the watermark)
   * where the embedded runtime matches such records once the input ends. An operator rather than
   * a function, because only an operator can set a record's timestamp and keep upstream watermarks.
   */
  static final class ToEvent extends AbstractStreamOperator<CepEvent> implements OneInputStreamOperator<Rec, CepEvent> {
    private static final long serialVersionUID = 1L;
    private transient long seq;

    @Override
    public void processElement(StreamRecord<Rec> element) {
      Rec r = element.getValue();
      long ts = element.hasTimestamp() ? element.getTimestamp() : System.currentTimeMillis();
      output.collect(new StreamRecord<>(new CepEvent(r.value, r.key, ts, seq++), ts));
    }
  }
}
