package io.iris.engine.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the admin API's JSON into maps, lists, strings, numbers and booleans (tests only; jackson-core). */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            final Object value = read(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content: " + json);
            }
            return (Map<String, Object>) value;
        } catch (final IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static Object read(final JsonParser p) throws IOException {
        final JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                final Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    final String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                return m;
            }
            case START_ARRAY: {
                final List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return true;
            case VALUE_FALSE:
                return false;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalArgumentException("unexpected " + t);
        }
    }
}
