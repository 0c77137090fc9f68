package dev.tributary.flink.cep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A (partial) match as expressions see it: `{step: [records]}`, steps that took no event left out, ordered by their first event. */
final class Matches {
  private Matches() {}

  static Map<String, Object> of(Map<String, ? extends Iterable<CepEvent>> byStep) {
    List<Map.Entry<String, List<CepEvent>>> steps = new ArrayList<>();
    for (Map.Entry<String, ? extends Iterable<CepEvent>> e : byStep.entrySet()) {
      List<CepEvent> events = new ArrayList<>();
      for (CepEvent ev : e.getValue()) events.add(ev);
      if (!events.isEmpty()) steps.add(Map.entry(e.getKey(), events));
    }
    steps.sort((a, b) -> a.getValue().get(0).before(b.getValue().get(0)) ? -1 : 1);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<CepEvent>> s : steps) {
      List<Object> values = new ArrayList<>(s.getValue().size());
      for (CepEvent ev : s.getValue()) values.add(ev.value);
      out.put(s.getKey(), values);
    }
    return out;
  }

  /** The match's first event (Flink's within counts from it). */
  static CepEvent first(Map<String, List<CepEvent>> byStep) {
    CepEvent first = null;
    for (List<CepEvent> events : byStep.values()) {
      for (CepEvent ev : events) if (first == null || ev.before(first)) first = ev;
    }
    return first;
  }
}
