package dev.memoria.springai;

import static dev.memoria.springai.Messages.assertSameInDepth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memoria.context.Conversation;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

class MessageMapperTest {

    private static List<Event> events(Message m) {
        return MessageMapper.toMemoria(m).events();
    }

    @Test
    void everyMessageTypeAndFieldComesBackEqualWithItsJavaTypes() {
        List<Message> zoo = Messages.zoo();
        List<Message> back = MessageMapper.toSpring(MessageMapper.toMemoria(zoo));
        assertSameInDepth(back, zoo);
    }

    @Test
    void writingWhatWasReadGivesTheSameEventsSoAnUnchangedMessageIsRecognised() {
        List<Conversation.Message> once = MessageMapper.toMemoria(Messages.zoo());
        List<Conversation.Message> twice = MessageMapper.toMemoria(MessageMapper.toSpring(once));
        assertThat(twice).isEqualTo(once);
    }

    @Test
    void aBackendThatReordersObjectKeysChangesNothingReadBack() {
        // PostgreSQL's jsonb keeps no key order: reverse every object's keys, as a worst case
        List<Message> zoo = Messages.zoo();
        List<Conversation.Message> reordered = new ArrayList<>();
        for (Conversation.Message m : MessageMapper.toMemoria(zoo)) {
            List<Event> events = new ArrayList<>();
            for (Event e : m.events()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> data = (Map<String, Object>) reversed(e.data());
                events.add(e.withData(data));
            }
            reordered.add(new Conversation.Message(events));
        }
        assertSameInDepth(MessageMapper.toSpring(reordered), zoo);
    }

    private static Object reversed(Object value) {
        if (value instanceof Map<?, ?> m) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            Collections.reverse(entries);
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach(e -> out.put((String) e.getKey(), reversed(e.getValue())));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(MessageMapperTest::reversed).toList();
        }
        return value;
    }

    @Test
    void aUserMessageIsOneUserMessageEventWithItsMediaAndNoFrameworkKeys() {
        UserMessage user = UserMessage.builder().text("see").media(Messages.png("p1", "a.png")).metadata(Map.of("n", 1)).build();
        List<Event> events = events(user);

        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.type()).isEqualTo(EventType.USER_MESSAGE);
        assertThat(e.data()).containsEntry("text", "see")
                .containsEntry("metadata", Map.of("n", 1L))
                .containsEntry("metadataTypes", Map.of("n", "Integer"));
        assertThat(user.getMetadata()).containsKey("messageType"); // the framework's own entry, never stored
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> media = (List<Map<String, Object>>) e.data().get("media");
        assertThat(media).singleElement().satisfies(m -> assertThat(m)
                .containsEntry("mimeType", "image/png").containsEntry("id", "p1").containsEntry("name", "a.png")
                .containsEntry("dataType", "bytes").containsEntry("data", "iVBORwD/"));
    }

    @Test
    void anAssistantMessageIsItsTextThenThinkingThenOneToolCallPerRequest() {
        AssistantMessage a = AssistantMessage.builder().content(null)
                .properties(Map.of("reasoningContent", "weather needs a tool", "finishReason", "TOOL_CALLS"))
                .toolCalls(List.of(new AssistantMessage.ToolCall("c1", "function", "weather", "{\"city\":\"Paris\"}"),
                        new AssistantMessage.ToolCall("c2", "function", "sum", "{\"a\":1,\"b\":2}"),
                        new AssistantMessage.ToolCall("c3", "function", "raw", "not json")))
                .build();
        List<Event> events = events(a);

        assertThat(events).extracting(Event::type).containsExactly(EventType.ASSISTANT_MESSAGE, EventType.THINKING,
                EventType.TOOL_CALL, EventType.TOOL_CALL, EventType.TOOL_CALL);
        assertThat(events.get(0).data()).containsEntry("text", null).containsEntry("metadata", Map.of("finishReason", "TOOL_CALLS"));
        assertThat(events.get(1).data()).isEqualTo(Map.of("text", "weather needs a tool"));
        // arguments as an object for the CLI; the exact text only where the object would not give it back
        assertThat(events.get(2).data()).isEqualTo(Map.of("callId", "c1", "tool", "weather", "type", "function",
                "arguments", Map.of("city", "Paris")));
        assertThat(events.get(3).data()).containsEntry("arguments", Map.of("a", 1L, "b", 2L))
                .containsEntry("argumentsText", "{\"a\":1,\"b\":2}");
        assertThat(events.get(4).data()).doesNotContainKey("arguments").containsEntry("argumentsText", "not json");
        assertThat(MessageMapper.toSpring(MessageMapper.toMemoria(a))).contains(a);
    }

    @Test
    void aToolResponseMessageIsOneToolResultPerResponseWithTheMetadataOnTheFirst() {
        ToolResponseMessage t = ToolResponseMessage.builder().metadata(Map.of("k", "v")).responses(List.of(
                new ToolResponseMessage.ToolResponse("c1", "weather", "{\"temp\":21}"),
                new ToolResponseMessage.ToolResponse("c2", "sum", "3"))).build();
        List<Event> events = events(t);

        assertThat(events).extracting(Event::type).containsExactly(EventType.TOOL_RESULT, EventType.TOOL_RESULT);
        assertThat(events.get(0).data()).isEqualTo(Map.of("callId", "c1", "tool", "weather", "result", "{\"temp\":21}",
                "isError", false, "metadata", Map.of("k", "v")));
        assertThat(events.get(1).data()).isEqualTo(Map.of("callId", "c2", "tool", "sum", "result", "3", "isError", false));

        ToolResponseMessage empty = ToolResponseMessage.builder().build();
        assertThat(events(empty)).singleElement().satisfies(e -> assertThat(e.typeName()).isEqualTo("EMPTY_TOOL_RESPONSE"));
        assertThat(MessageMapper.toSpring(MessageMapper.toMemoria(empty))).contains(empty);
    }

    @Test
    void aSystemMessageIsOneSystemMessageEvent() {
        assertThat(events(Messages.system("be brief"))).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.SYSTEM_MESSAGE))
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("text", "be brief")));
    }

    @Test
    void metadataThatCannotBeStoredExactlyIsRefusedNamingTheMessageAndTheKey() {
        Map<String, Object> bad = new HashMap<>();
        bad.put("when", java.time.Instant.EPOCH);
        List<Message> list = List.of(Messages.user("fine"), UserMessage.builder().text("x").metadata(bad).build());
        assertThatThrownBy(() -> MessageMapper.toMemoria(list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("messages[1] (USER): metadata.when: java.time.Instant cannot be stored exactly");

        assertThatThrownBy(() -> MessageMapper.toMemoria(UserMessage.builder().text("x")
                .metadata(Map.of("deep", Map.of("set", Set.of(1)))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata.deep.set: java.util.");
        assertThatThrownBy(() -> MessageMapper.toMemoria(UserMessage.builder().text("x")
                .metadata(Map.of("k", Map.of(1, "a"))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata.k: map keys must be Strings");
        assertThatThrownBy(() -> MessageMapper.toMemoria(UserMessage.builder().text("x")
                .metadata(Map.of("k", MessageType.USER)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata.k: " + MessageType.class.getName());
    }

    @Test
    void textMemoriaCannotHoldIsRefusedWithTheLimit() {
        assertThatThrownBy(() -> MessageMapper.toMemoria(List.of(Messages.user("a\u0000b"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("messages[0] (USER): ").hasMessageContaining("NUL");
        String big = "x".repeat(1024 * 1024);
        assertThatThrownBy(() -> MessageMapper.toMemoria(List.of(Messages.assistant(big))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("messages[0] (ASSISTANT): ").hasMessageContaining("at most 1,048,576 bytes");
    }

    @Test
    void aMessageClassOutsideSpringAisFourIsRefused() {
        Message custom = new Message() {
            @Override
            public MessageType getMessageType() {
                return MessageType.USER;
            }

            @Override
            public String getText() {
                return "hi";
            }

            @Override
            public Map<String, Object> getMetadata() {
                return Map.of();
            }
        };
        assertThatThrownBy(() -> MessageMapper.toMemoria(List.of(custom))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is none of Spring AI's message classes");
    }

    @Test
    void eventsWrittenByOtherCodeReadAsWellAsTheyCan() {
        List<Conversation.Message> foreign = List.of(
                Conversation.Message.of(Event.userMessage("typed in the CLI")),
                Conversation.Message.of(Event.plannerNote("not a chat message")),
                Conversation.Message.of(Event.toolCall("k1", "calculator", Map.of("expression", "1+1"))),
                Conversation.Message.of(Event.toolResult("k1", "calculator", 2L, false)));
        List<Message> read = MessageMapper.toSpring(foreign);

        assertThat(read).hasSize(3);
        assertThat(read.get(0)).isEqualTo(Messages.user("typed in the CLI"));
        assertThat(((AssistantMessage) read.get(1)).getToolCalls())
                .containsExactly(new AssistantMessage.ToolCall("k1", "function", "calculator", "{\"expression\":\"1+1\"}"));
        assertThat(((ToolResponseMessage) read.get(2)).getResponses())
                .containsExactly(new ToolResponseMessage.ToolResponse("k1", "calculator", "2"));
    }
}
