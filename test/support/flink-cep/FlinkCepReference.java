import java.io.File;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;

import org.apache.flink.cep.Event;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.utils.CepOperatorTestUtilities;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs cases written by test/support/flink-cep.ts through Flink's own CepOperator (keyed, in its
 * operator test harness) and writes what comes out of it.
 *
 * <p>A case: {pattern: [step], within?, afterMatch: {strategy, step?}, time?: "event"|"processing",
 * events: [{name, ts, price, key, wmAfter?, pt?}], endPt?}. A step is the cep node's step with
 * `cond` (and `until`) given as {letters?: [..], gtSum?: step, cntLt?: {step, n}} instead of an
 * expression: the event's letters (its name without trailing digits) are one of `letters`, its
 * price exceeds the sum of the prices `gtSum` has taken, `cntLt` has taken fewer than n events.
 *
 * <p>A result: {error} when Flink refuses or fails, else {out: [{port, ts, m}]} in the order the
 * harness produced them, `m` being "step:event …" for out and timeout, the event name for late.
 */
public class FlinkCepReference {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OutputTag<String> TIMEOUT = new OutputTag<String>("timeout") {};
    private static final OutputTag<Event> LATE = new OutputTag<Event>("late") {};

    private static String letters(String name) {
        return name.replaceAll("[0-9]+$", "");
    }

    private static IterativeCondition<Event> condition(JsonNode c) {
        final boolean anyLetters = !c.hasNonNull("letters");
        final Set<String> allowed = new HashSet<>();
        if (!anyLetters) for (JsonNode l : c.get("letters")) allowed.add(l.asText());
        final String gtSum = c.hasNonNull("gtSum") ? c.get("gtSum").asText() : null;
        final String cntStep = c.hasNonNull("cntLt") ? c.get("cntLt").get("step").asText() : null;
        final int cntN = c.hasNonNull("cntLt") ? c.get("cntLt").get("n").asInt() : 0;
        return new IterativeCondition<Event>() {
            @Override
            public boolean filter(Event e, Context<Event> ctx) throws Exception {
                if (!anyLetters && !allowed.contains(letters(e.getName()))) return false;
                if (gtSum != null) {
                    double sum = 0;
                    for (Event x : ctx.getEventsForPattern(gtSum)) sum += x.getPrice();
                    if (!(e.getPrice() > sum)) return false;
                }
                if (cntStep != null) {
                    int n = 0;
                    for (Event ignored : ctx.getEventsForPattern(cntStep)) n++;
                    if (n >= cntN) return false;
                }
                return true;
            }
        };
    }

    /** The pattern as a Flink user writes it for the cep node's steps (spec.ts documents the mapping). */
    private static Pattern<Event, Event> pattern(JsonNode c) {
        Pattern<Event, Event> p = null;
        JsonNode steps = c.get("pattern");
        for (int i = 0; i < steps.size(); i++) {
            JsonNode s = steps.get(i);
            String name = s.get("name").asText();
            String contiguity = s.path("contiguity").asText("relaxed");
            if (i == 0) p = Pattern.<Event>begin(name);
            else if (s.path("negated").asBoolean(false)) p = contiguity.equals("strict") ? p.notNext(name) : p.notFollowedBy(name);
            else if (contiguity.equals("strict")) p = p.next(name);
            else if (contiguity.equals("any")) p = p.followedByAny(name);
            else p = p.followedBy(name);
            p = p.where(condition(s.get("cond")));
            JsonNode q = s.get("quantifier");
            if (q != null && !q.isNull()) {
                int min = q.get("min").asInt();
                if (q.get("max").isNull()) p = min == 1 ? p.oneOrMore() : p.timesOrMore(min);
                else if (q.get("max").asInt() == min) p = p.times(min);
                else p = p.times(min, q.get("max").asInt());
                String inner = q.path("inner").asText("relaxed");
                if (inner.equals("strict")) p = p.consecutive();
                else if (inner.equals("any")) p = p.allowCombinations();
            }
            if (s.path("optional").asBoolean(false)) p = p.optional();
            if (s.path("greedy").asBoolean(false)) p = p.greedy();
            if (s.hasNonNull("until")) p = p.until(condition(s.get("until")));
        }
        if (c.hasNonNull("within")) p = p.within(Duration.ofMillis(c.get("within").asLong()));
        return p;
    }

    private static AfterMatchSkipStrategy skip(JsonNode c) {
        JsonNode a = c.path("afterMatch");
        switch (a.path("strategy").asText("noSkip")) {
            case "skipToNext": return AfterMatchSkipStrategy.skipToNext();
            case "skipPastLastEvent": return AfterMatchSkipStrategy.skipPastLastEvent();
            case "skipToFirst": return AfterMatchSkipStrategy.skipToFirst(a.get("step").asText());
            case "skipToLast": return AfterMatchSkipStrategy.skipToLast(a.get("step").asText());
            default: return AfterMatchSkipStrategy.noSkip();
        }
    }

    private static String describe(Map<String, List<Event>> match) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<Event>> step : match.entrySet()) {
            for (Event e : step.getValue()) {
                if (b.length() > 0) b.append(' ');
                b.append(step.getKey()).append(':').append(e.getName());
            }
        }
        return b.toString();
    }

    private static class Collect extends PatternProcessFunction<Event, String> implements TimedOutPartialMatchHandler<Event> {
        @Override
        public void processMatch(Map<String, List<Event>> match, Context ctx, Collector<String> out) {
            out.collect(describe(match));
        }

        @Override
        public void processTimedOutMatch(Map<String, List<Event>> match, Context ctx) {
            ctx.output(TIMEOUT, describe(match));
        }
    }

    private static ObjectNode run(JsonNode c) {
        ObjectNode result = JSON.createObjectNode();
        boolean processingTime = c.path("time").asText("event").equals("processing");
        OneInputStreamOperatorTestHarness<Event, String> h;
        try {
            NFACompiler.NFAFactory<Event> nfa = NFACompiler.compileFactory(pattern(c), c.hasNonNull("within"));
            CepOperator<Event, Integer, String> op =
                    new CepOperator<>(Event.createTypeSerializer(), processingTime, nfa, null, skip(c), new Collect(), processingTime ? null : LATE);
            h = CepOperatorTestUtilities.getCepTestHarness(op);
            h.open();
        } catch (Exception e) {
            result.put("error", e.toString());
            return result;
        }
        ArrayNode out = result.putArray("out");
        try {
            for (JsonNode e : c.get("events")) {
                // Processing time moves one millisecond at a time, so every timer fires at its own time.
                if (e.hasNonNull("pt")) advanceProcessingTime(h, e.get("pt").asLong());
                h.processElement(new StreamRecord<>(new Event(e.get("key").asInt(), e.get("name").asText(), e.get("price").asDouble()), e.get("ts").asLong()));
                if (e.hasNonNull("wmAfter")) h.processWatermark(new Watermark(e.get("wmAfter").asLong()));
                drain(h, out);
            }
            if (c.hasNonNull("endPt")) advanceProcessingTime(h, c.get("endPt").asLong());
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            drain(h, out);
            h.close();
        } catch (Exception e) {
            result.put("error", e.toString());
        }
        return result;
    }

    private static void advanceProcessingTime(OneInputStreamOperatorTestHarness<Event, String> h, long to) throws Exception {
        for (long t = h.getProcessingTime() + 1; t <= to; t++) h.setProcessingTime(t);
    }

    private static void drain(OneInputStreamOperatorTestHarness<Event, String> h, ArrayNode out) {
        Object o;
        while ((o = h.getOutput().poll()) != null) {
            if (o instanceof StreamRecord) add(out, "out", (StreamRecord<?>) o, String.valueOf(((StreamRecord<?>) o).getValue()));
        }
        Queue<StreamRecord<String>> timeouts = h.getSideOutput(TIMEOUT);
        for (StreamRecord<String> r; timeouts != null && (r = timeouts.poll()) != null; ) add(out, "timeout", r, r.getValue());
        Queue<StreamRecord<Event>> late = h.getSideOutput(LATE);
        for (StreamRecord<Event> r; late != null && (r = late.poll()) != null; ) add(out, "late", r, r.getValue().getName());
    }

    private static void add(ArrayNode out, String port, StreamRecord<?> r, String m) {
        ObjectNode n = out.addObject();
        n.put("port", port);
        if (r.hasTimestamp()) n.put("ts", r.getTimestamp());
        n.put("m", m);
    }

    public static void main(String[] args) throws Exception {
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode c : JSON.readTree(new File(args[0]))) results.add(run(c));
        JSON.writeValue(new File(args[1]), results);
    }
}
