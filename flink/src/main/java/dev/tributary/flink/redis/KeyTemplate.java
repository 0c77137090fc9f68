package dev.tributary.flink.redis;

import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Key templates as runtime/expr/template.ts reads them: `{field}` and `{a.b}` filled from the
 * record (objects as JSON, other values as JavaScript's String()), `{{` and `}}` literal braces; a
 * missing or null field is an error naming it. The validator has checked the template already.
 * `label` names the template in messages; `html` escapes the values put in (the e-mail sink's
 * html body, as runtime/nodes/sink-email/message.ts escapes them).
 */
public final class KeyTemplate implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String src;
  private final String label;
  private final boolean html;
  /** String: literal text; String[]: a field path. */
  private final List<Object> parts = new ArrayList<>();

  KeyTemplate(String src) {
    this(src, "key template", false);
  }

  public KeyTemplate(String src, String label, boolean html) {
    this.src = src;
    this.label = label;
    this.html = html;
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < src.length(); i++) {
      char c = src.charAt(i);
      if (c == '{' && i + 1 < src.length() && src.charAt(i + 1) == '{') {
        lit.append('{');
        i++;
      } else if (c == '}' && i + 1 < src.length() && src.charAt(i + 1) == '}') {
        lit.append('}');
        i++;
      } else if (c == '{') {
        int end = src.indexOf('}', i);
        if (end < 0) throw new IllegalArgumentException("key template " + src + ": unclosed '{'");
        if (lit.length() > 0) parts.add(lit.toString());
        lit.setLength(0);
        parts.add(src.substring(i + 1, end).trim().split("\\."));
        i = end;
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) parts.add(lit.toString());
  }

  public String fill(Object rec) {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.append(s);
        continue;
      }
      String[] path = (String[]) p;
      Object v = rec;
      for (int j = 0; j < path.length && !Js.isNil(v); j++) v = Js.get(v, path[j]);
      if (Js.isNil(v)) throw new IllegalArgumentException(label + " " + Json.stringify(src) + ": the record has no '" + String.join(".", path) + "'");
      String text = v instanceof Map || v instanceof List ? Json.stringify(v) : Js.toStr(v);
      out.append(html ? escapeHtml(text) : text);
    }
    return out.toString();
  }

  private static String escapeHtml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
