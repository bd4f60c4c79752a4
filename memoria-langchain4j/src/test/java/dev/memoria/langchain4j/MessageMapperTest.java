package dev.memoria.langchain4j;

import static dev.memoria.langchain4j.SampleMessages.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ContentType;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.memoria.context.Conversation.Message;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mapping on its own: the events each message becomes, and back. */
class MessageMapperTest {

    private static List<Event> events(ChatMessage m) {
        return MessageMapper.encode(m, "m").events();
    }

    @Test
    void everySampleComesBackEqualWithItsJavaTypes() {
        for (ChatMessage m : SampleMessages.all()) {
            ChatMessage back = MessageMapper.decode(MessageMapper.encode(m, "m"));
            assertThat(back).as("%s", m).isEqualTo(m).hasSameClassAs(m);
            assertThat(back.hashCode()).isEqualTo(m.hashCode());
        }
        UserMessage withAttributes = (UserMessage) SampleMessages.all().get(4);
        Map<String, Object> back = ((UserMessage) MessageMapper.decode(MessageMapper.encode(withAttributes, "m"))).attributes();
        assertThat(back.get("integer")).isInstanceOf(Integer.class);
        assertThat(back.get("short")).isInstanceOf(Short.class);
        assertThat(back.get("byte")).isInstanceOf(Byte.class);
        assertThat(back.get("float")).isInstanceOf(Float.class).isEqualTo(0.1f);
        assertThat(back.get("negativeZero")).isEqualTo(-0.0);
        assertThat(back.get("bigDecimal")).isEqualTo(new BigDecimal("1.50")); // the scale too
        assertThat(back.get("char")).isEqualTo('é');
        assertThat(back).containsKey("null").containsEntry("null", null).doesNotContainKeys("timestamp", "sequence");
    }

    @Test
    void anAiMessageIsThinkingThenTheAssistantMessageThenOneToolCallPerRequest() {
        AiMessage ai = AiMessage.builder().text(null).thinking("need the calculator").toolExecutionRequests(List.of(
                request("call_1", "calculator", "{\"expression\":\"2+2\"}"),
                request("call_2", "calculator", "{\"expression\": \"3*3\"}"))).build();
        List<Event> events = events(ai);
        assertThat(events).extracting(Event::type)
                .containsExactly(EventType.THINKING, EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL, EventType.TOOL_CALL);
        assertThat(events.get(0).data()).isEqualTo(Map.of("text", "need the calculator"));
        Map<String, Object> assistant = new LinkedHashMap<>();
        assistant.put("text", null); // the text field is there even without a text
        assertThat(events.get(1).data()).isEqualTo(assistant);
        // the canonical arguments are the map alone; others keep their exact string beside the map
        assertThat(events.get(2).data()).isEqualTo(Map.of("callId", "call_1", "tool", "calculator",
                "arguments", Map.of("expression", "2+2")));
        assertThat(events.get(3).data()).isEqualTo(Map.of("callId", "call_2", "tool", "calculator",
                "arguments", Map.of("expression", "3*3"), "argumentsText", "{\"expression\": \"3*3\"}"));
        // what memoria show reads: a TOOL_CALL with callId, tool and map arguments
        assertThat(events.get(2).data().get("arguments")).isInstanceOf(Map.class);
    }

    @Test
    void argumentsThatAreNoJsonObjectAreKeptAsTheirString() {
        assertThat(events(AiMessage.from(request("c", "t", "not json"))).get(1).data())
                .isEqualTo(Map.of("callId", "c", "tool", "t", "argumentsText", "not json"));
        assertThat(events(AiMessage.from(request("c", "t", "[1,2]"))).get(1).data())
                .isEqualTo(Map.of("callId", "c", "tool", "t", "argumentsText", "[1,2]"));
        // a JSON NUL escape parses, but Memoria stores no NUL: the string alone
        assertThat(events(AiMessage.from(request("c", "t", "{\"s\":\"\\u0000\"}"))).get(1).data())
                .doesNotContainKey("arguments").containsEntry("argumentsText", "{\"s\":\"\\u0000\"}");
        // -0.0 is stored as 0.0: the map would not give the string back, so the string is kept
        assertThat(events(AiMessage.from(request("c", "t", "{\"x\":-0.0}"))).get(1).data())
                .containsEntry("argumentsText", "{\"x\":-0.0}");
        Map<String, Object> noIds = events(AiMessage.from(request(null, null, null))).get(1).data();
        assertThat(noIds).isEmpty();
    }

    @Test
    void userToolResultSystemAndCustomMessagesAreOneEventEach() {
        assertThat(events(SystemMessage.from("be brief"))).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.SYSTEM_MESSAGE))
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("text", "be brief")));
        assertThat(events(UserMessage.from("ada", "hi"))).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.USER_MESSAGE))
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("text", "hi", "name", "ada")));
        Event image = events(UserMessage.from(TextContent.from("see"),
                dev.langchain4j.data.message.ImageContent.from("https://x/y.png"))).get(0);
        assertThat(image.data()).containsEntry("text", "see").containsKey("contents");
        assertThat((List<?>) image.data().get("contents")).hasSize(2).element(1).isEqualTo(
                Map.of("type", "IMAGE", "image", Map.of("url", "https://x/y.png"), "detailLevel", "LOW"));
        assertThat(events(ToolExecutionResultMessage.from("call_1", "calculator", "4"))).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.TOOL_RESULT))
                .satisfies(e -> assertThat(e.data()).containsExactlyInAnyOrderEntriesOf(mapWithNull(
                        "callId", "call_1", "tool", "calculator", "result", "4", "isError", null)));
        assertThat(events(ToolExecutionResultMessage.builder().id("c").toolName("t").text("boom").isError(true).build()).get(0).data())
                .containsEntry("isError", true);
        assertThat(events(CustomMessage.from(Map.of("k", 1)))).singleElement()
                .satisfies(e -> assertThat(e.typeName()).isEqualTo("CUSTOM_MESSAGE"))
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("attributes", Map.of("k", 1L),
                        "attributeTypes", Map.of("k", "Integer"))));
    }

    private static Map<String, Object> mapWithNull(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void attributeTypesMirrorOnlyWhatJsonDoesNotKeep() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("plain", Map.of("s", "x", "l", 1L, "d", 0.5, "b", true));
        attributes.put("ints", List.of(1, 2L));
        Map<String, Object> data = events(CustomMessage.from(attributes)).get(0).data();
        assertThat(data.get("attributeTypes")).isEqualTo(Map.of("ints", Map.of("0", "Integer")));
        assertThat(data.get("attributes")).isEqualTo(Map.of("plain", Map.of("s", "x", "l", 1L, "d", 0.5, "b", true),
                "ints", List.of(1L, 2L)));
    }

    @Test
    void whatCannotBeStoredIsRefusedNamingTheMessageAndTheKey() {
        UserMessage objectValue = UserMessage.builder().contents(List.of(TextContent.from("x")))
                .attributes(Map.of("when", new Object())).build();
        assertThatThrownBy(() -> MessageMapper.encodeAll(List.of(UserMessage.from("ok"), objectValue), "messages"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages[1] (UserMessage)")
                .hasMessageContaining("attributes.when")
                .hasMessageContaining("java.lang.Object cannot be stored");
        assertThatThrownBy(() -> MessageMapper.encode(CustomMessage.from(Map.of("set", java.util.Set.of(1))), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attributes.set");
        Map<Object, Object> intKeys = Map.of(1, "one");
        assertThatThrownBy(() -> MessageMapper.encode(CustomMessage.from(Map.of("m", intKeys)), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attributes.m: map keys must be Strings");
        assertThatThrownBy(() -> MessageMapper.encode(UserMessage.from("nul \0 here"), "messages[0]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messages[0] (UserMessage)")
                .hasMessageContaining("NUL");
        ChatMessage subclass = new UserMessage("x") { };
        assertThatThrownBy(() -> MessageMapper.encode(subclass, "m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a message type Memoria can store");
        Content unknown = () -> ContentType.TEXT;
        assertThatThrownBy(() -> MessageMapper.encode(UserMessage.from(unknown), "m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contents[0]").hasMessageContaining("is not a content type Memoria can store");
        List<ChatMessage> withNull = new ArrayList<>();
        withNull.add(UserMessage.from("a"));
        withNull.add(null);
        assertThatThrownBy(() -> MessageMapper.encodeAll(withNull, "messages")).isInstanceOf(NullPointerException.class)
                .hasMessage("messages[1]");
        assertThatThrownBy(() -> MessageMapper.encode(AiMessage.from(java.util.Arrays.asList(request("a", "b", "{}"), null)), "m"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("toolExecutionRequests[1]");
    }

    @Test
    void eventsOfOtherWritersReadAsTheMessagesTheyStandFor() {
        assertThat(MessageMapper.decode(Message.of(Event.userMessage("hi")))).isEqualTo(UserMessage.from("hi"));
        assertThat(MessageMapper.decode(Message.of(Event.assistantMessage("hello")))).isEqualTo(AiMessage.from("hello"));
        assertThat(MessageMapper.decode(Message.of(Event.toolCall("c1", "calc", Map.of("x", 1)))))
                .isEqualTo(AiMessage.builder().toolExecutionRequests(List.of(request("c1", "calc", "{\"x\":1}"))).build());
        assertThat(MessageMapper.decode(Message.of(Event.toolResult("c1", "calc", Map.of("v", 2), false))))
                .isEqualTo(ToolExecutionResultMessage.builder().id("c1").toolName("calc").text("{\"v\":2}").isError(false).build());
        ChatMessage note = MessageMapper.decode(Message.of(Event.plannerNote("plan")));
        assertThat(note).isInstanceOf(CustomMessage.class);
        assertThat(((CustomMessage) note).attributes()).isEqualTo(Map.of(MessageMapper.FOREIGN,
                List.of(Map.of("type", "PLANNER_NOTE", "data", Map.of("text", "plan")))));
    }
}
