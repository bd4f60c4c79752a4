package dev.memoria.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.memoria.Stores;
import dev.memoria.jdbc.JdbcStores;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.run.Run;
import dev.memoria.run.RunStatus;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunResult;
import dev.memoria.runtime.Suspension;
import dev.memoria.session.Session;
import dev.memoria.testservers.Snippets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelAgent} in {@link AgentRuntime} on a real SQLite file; only the model is a test
 * double, a script that records every request it is sent, so that the tests read both what was
 * stored and what the model was shown. "Another process" is another {@link Stores} opened on the
 * same file, with a new runtime and a new agent built alike.
 */
class ModelAgentTest {
    private static final String SYSTEM = "You help the ops team.";

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ test doubles and helpers

    /** Answers from a script, in order, and records every request it is sent. */
    static final class ScriptedModel implements ChatModel {
        final Deque<AiMessage> replies;
        final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

        ScriptedModel(AiMessage... replies) {
            this.replies = new ArrayDeque<>(Arrays.asList(replies));
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            AiMessage next = replies.pollFirst();
            if (next == null) {
                throw new IllegalStateException("the script has no reply left for request " + requests.size());
            }
            return ChatResponse.builder().aiMessage(next).build();
        }

        List<ChatMessage> prompt(int index) {
            return requests.get(index).messages();
        }
    }

    /** A clock the test moves by hand; shared by stores and runtimes, so thread-safe. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private String uri() {
        return "sqlite:" + dir.resolve("agent.db");
    }

    private static ToolSpecification spec(String name, String parameter) {
        return ToolSpecification.builder().name(name).description("The " + name + " tool")
                .parameters(JsonObjectSchema.builder().addStringProperty(parameter).required(parameter).build()).build();
    }

    private static final ToolSpecification WEATHER = spec("weather", "city");
    private static final ToolSpecification TIME = spec("time", "city");
    private static final ToolSpecification SEND_MAIL = spec("send_mail", "to");

    private static ToolExecutionRequest call(String id, String tool, String argumentsJson) {
        return ToolExecutionRequest.builder().id(id).name(tool).arguments(argumentsJson).build();
    }

    private static AiMessage calls(ToolExecutionRequest... requests) {
        return AiMessage.from(requests);
    }

    private static ToolExecutionResultMessage result(String id, String tool, String text, boolean isError) {
        return ToolExecutionResultMessage.builder().id(id).toolName(tool).text(text).isError(isError).build();
    }

    /** The run's whole log, oldest first. */
    private static List<MemoryEvent> log(Stores stores, String runId) {
        Run run = stores.runs().get(runId).orElseThrow();
        return stores.memory().load(run.ref()).events();
    }

    private static List<EventType> types(List<MemoryEvent> log) {
        return log.stream().map(MemoryEvent::type).toList();
    }

    /**
     * A prompt real model APIs accept: the system message only first, then a user message; every
     * AI message with tool calls followed at once by exactly their results, in the calls' order;
     * no result anywhere else.
     */
    private static void assertWellFormed(List<ChatMessage> prompt) {
        int i = 0;
        if (!prompt.isEmpty() && prompt.get(0) instanceof SystemMessage) {
            i = 1;
        }
        assertThat(prompt.subList(i, prompt.size())).as("no system message but the first").noneMatch(m -> m instanceof SystemMessage);
        assertThat(prompt.size()).as("a conversation after the system message").isGreaterThan(i);
        assertThat(prompt.get(i)).as("the conversation starts with the user").isInstanceOf(UserMessage.class);
        while (i < prompt.size()) {
            ChatMessage m = prompt.get(i);
            assertThat(m).as("message %d: a result right after its call only", i).isNotInstanceOf(ToolExecutionResultMessage.class);
            i++;
            if (m instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                    assertThat(i).as("a result for call %s", r.id()).isLessThan(prompt.size());
                    assertThat(prompt.get(i)).as("message %d answers call %s", i, r.id())
                            .isInstanceOfSatisfying(ToolExecutionResultMessage.class, res -> assertThat(res.id()).isEqualTo(r.id()));
                    i++;
                }
            }
        }
    }

    // ------------------------------------------------------------------ 1. tools, one after the other

    @Test
    void theModelCallsOneToolThenAnotherThenAnswers_everyStepIsStoredInOrderAndEachPromptCarriesTheResults() {
        ScriptedModel model = new ScriptedModel(
                calls(call("c1", "weather", "{\"city\":\"Paris\"}")),
                calls(call("c2", "time", "{\"city\":\"Paris\"}")),
                AiMessage.from("Sunny in Paris, and it is noon."));
        List<String> executed = Collections.synchronizedList(new ArrayList<>());
        ModelAgent agent = ModelAgent.builder("assistant", model).systemPrompt(SYSTEM)
                .tool(WEATHER, (request, turn) -> {
                    executed.add("weather " + request.arguments());
                    return "sunny";
                })
                .tool(TIME, (request, turn) -> {
                    executed.add("time " + request.arguments());
                    return "12:00";
                })
                .build();

        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            Session s = rt.startSession("ops", "ada");
            RunResult r = rt.run(s.id(), agent, "Weather and time in Paris?");

            assertThat(r.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.reply()).contains("Sunny in Paris, and it is noon.");
            assertThat(executed).containsExactly("weather {\"city\":\"Paris\"}", "time {\"city\":\"Paris\"}");

            List<MemoryEvent> log = log(stores, r.run().id());
            assertThat(types(log)).containsExactly(EventType.USER_MESSAGE,
                    EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL, EventType.TOOL_RESULT,
                    EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL, EventType.TOOL_RESULT,
                    EventType.ASSISTANT_MESSAGE);
            assertThat(r.events()).extracting(MemoryEvent::key).isEqualTo(log.stream().map(MemoryEvent::key).toList());
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_CALL)
                    .extracting(MemoryEvent::key, e -> e.toolCall().tool(), e -> e.toolCall().arguments(),
                            e -> e.labels().get(ModelAgent.STEP_LABEL))
                    .containsExactly(tuple("call:c1", "weather", Map.of("city", "Paris"), "1"),
                            tuple("call:c2", "time", Map.of("city", "Paris"), "2"));
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT)
                    .extracting(MemoryEvent::key, e -> e.toolResult().callId(), e -> e.toolResult().result(), e -> e.toolResult().isError())
                    .containsExactly(tuple("result:c1", "c1", "sunny", false), tuple("result:c2", "c2", "12:00", false));
            assertThat(log).filteredOn(e -> e.type() == EventType.ASSISTANT_MESSAGE)
                    .extracting(e -> e.labels().get(ModelAgent.STEP_LABEL), e -> e.data().get("text"))
                    .containsExactly(tuple("1", null), tuple("2", null), tuple("3", "Sunny in Paris, and it is noon."));
        }

        assertThat(model.requests).hasSize(3);
        SystemMessage system = SystemMessage.from(SYSTEM);
        UserMessage question = UserMessage.from("Weather and time in Paris?");
        assertThat(model.prompt(0)).containsExactly(system, question);
        assertThat(model.prompt(1)).containsExactly(system, question,
                calls(call("c1", "weather", "{\"city\":\"Paris\"}")), result("c1", "weather", "sunny", false));
        assertThat(model.prompt(2)).containsExactly(system, question,
                calls(call("c1", "weather", "{\"city\":\"Paris\"}")), result("c1", "weather", "sunny", false),
                calls(call("c2", "time", "{\"city\":\"Paris\"}")), result("c2", "time", "12:00", false));
        for (ChatRequest request : model.requests) {
            assertWellFormed(request.messages());
            assertThat(request.toolSpecifications()).containsExactly(WEATHER, TIME);
        }
    }

    // ------------------------------------------------------------------ 2. approval, granted elsewhere

    @Test
    void anApprovalGrantedByAnotherRuntimeOnFreshStoresRunsTheToolExactlyOnceAndTheRunCompletes() {
        AtomicInteger sentBefore = new AtomicInteger();
        ScriptedModel firstModel = new ScriptedModel(calls(call("c1", "send_mail", "{\"to\":\"ops@example.com\"}")));
        ModelAgent first = ModelAgent.builder("mailer", firstModel).systemPrompt(SYSTEM)
                .toolNeedingApproval(SEND_MAIL, (request, turn) -> "sent #" + sentBefore.incrementAndGet())
                .build();
        String runId;
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult paused = rt.run(rt.startSession("ops", "ada").id(), first, "Tell ops that deploy 42 is done");
            runId = paused.run().id();

            assertThat(paused.run().status()).isEqualTo(RunStatus.PAUSED);
            Suspension waiting = paused.suspension().orElseThrow();
            assertThat(waiting.reason()).isEqualTo(Suspension.APPROVAL);
            assertThat(waiting.data()).containsEntry("callId", "c1").containsEntry("tool", "send_mail")
                    .containsEntry("arguments", Map.of("to", "ops@example.com"));
            assertThat(types(log(stores, runId))).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE,
                    EventType.TOOL_CALL, EventType.SUSPENDED);
        }
        assertThat(sentBefore).as("not run before the decision").hasValue(0);

        // another process: new stores on the file, a new runtime, a new agent built alike, a new model
        AtomicInteger sentAfter = new AtomicInteger();
        ScriptedModel secondModel = new ScriptedModel(AiMessage.from("Mail sent to ops."));
        ModelAgent second = ModelAgent.builder("mailer", secondModel).systemPrompt(SYSTEM)
                .toolNeedingApproval(SEND_MAIL, (request, turn) -> "sent #" + sentAfter.incrementAndGet())
                .build();
        try (Stores stores = Stores.open(uri())) {
            RunResult done = AgentRuntime.create(stores).resume(runId, second, Approval.grant("ada"));

            assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.reply()).contains("Mail sent to ops.");
            List<MemoryEvent> log = log(stores, runId);
            assertThat(types(log)).containsExactly(EventType.USER_MESSAGE, EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL,
                    EventType.SUSPENDED, EventType.RESUMED, EventType.APPROVAL, EventType.TOOL_RESULT, EventType.ASSISTANT_MESSAGE);
            assertThat(log).filteredOn(e -> e.type() == EventType.APPROVAL).singleElement()
                    .satisfies(e -> assertThat(e.data()).containsEntry("callId", "c1").containsEntry("granted", true)
                            .containsEntry("by", "ada"));
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT).singleElement()
                    .satisfies(e -> assertThat(e.toolResult()).extracting("callId", "result", "isError")
                            .containsExactly("c1", "sent #1", false));
        }
        assertThat(sentBefore.get() + sentAfter.get()).as("the tool ran exactly once").isEqualTo(1);
        assertThat(secondModel.requests).singleElement().satisfies(request -> {
            assertThat(request.messages()).containsExactly(SystemMessage.from(SYSTEM),
                    UserMessage.from("Tell ops that deploy 42 is done"),
                    calls(call("c1", "send_mail", "{\"to\":\"ops@example.com\"}")),
                    result("c1", "send_mail", "sent #1", false));
            assertWellFormed(request.messages());
        });
    }

    // ------------------------------------------------------------------ 3. denial

    @Test
    void aDeniedCallNeverRunsAndTheModelIsToldWhy() {
        AtomicInteger sent = new AtomicInteger();
        ScriptedModel model = new ScriptedModel(calls(call("c1", "send_mail", "{\"to\":\"all@example.com\"}")),
                AiMessage.from("I did not send it: not on a Friday."));
        ModelAgent agent = ModelAgent.builder("mailer", model)
                .toolNeedingApproval(SEND_MAIL, (request, turn) -> "sent #" + sent.incrementAndGet())
                .build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult paused = rt.run(rt.startSession("ops", "ada").id(), agent, "Mail everyone");
            RunResult done = rt.resume(paused.run().id(), agent, Approval.deny("bob", "not on a Friday"));

            assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.reply()).contains("I did not send it: not on a Friday.");
            List<MemoryEvent> log = log(stores, done.run().id());
            assertThat(log).filteredOn(e -> e.type() == EventType.APPROVAL).singleElement()
                    .satisfies(e -> assertThat(e.data()).containsEntry("granted", false).containsEntry("by", "bob")
                            .containsEntry("reason", "not on a Friday"));
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT).singleElement()
                    .satisfies(e -> assertThat(e.toolResult()).extracting("callId", "result", "isError")
                            .containsExactly("c1", "denied: not on a Friday", true));
        }
        assertThat(sent).as("never run").hasValue(0);
        assertThat(model.requests).hasSize(2);
        assertThat(model.prompt(1)).containsExactly(UserMessage.from("Mail everyone"),
                calls(call("c1", "send_mail", "{\"to\":\"all@example.com\"}")),
                result("c1", "send_mail", "denied: not on a Friday", true));
        assertWellFormed(model.prompt(1));
    }

    // ------------------------------------------------------------------ 4. a tool that throws

    @Test
    void aToolThatThrowsGivesAnErrorResultTheModelReadsAndTheRunGoesOn() {
        ScriptedModel model = new ScriptedModel(calls(call("c1", "weather", "{\"city\":\"Oslo\"}")),
                AiMessage.from("The weather service is down, sorry."));
        ModelAgent agent = ModelAgent.builder("assistant", model)
                .tool(WEATHER, (request, turn) -> {
                    throw new IllegalStateException("weather service down");
                })
                .build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult r = rt.run(rt.startSession("ops", "ada").id(), agent, "Weather in Oslo?");

            assertThat(r.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.reply()).contains("The weather service is down, sorry.");
            assertThat(log(stores, r.run().id())).filteredOn(e -> e.type() == EventType.TOOL_RESULT).singleElement()
                    .satisfies(e -> assertThat(e.toolResult()).extracting("callId", "tool", "result", "isError")
                            .containsExactly("c1", "weather", "weather service down", true));
        }
        assertThat(model.prompt(1)).endsWith(result("c1", "weather", "weather service down", true));
        assertWellFormed(model.prompt(1));
    }

    // ------------------------------------------------------------------ 5. a crash between a call and its result

    @Test
    void aCrashWhileAToolRunsIsRecoveredAsFailedAndTheSessionsNextRunSeesNoDanglingCall() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T09:00:00Z"));
        CountDownLatch toolEntered = new CountDownLatch(1);
        CountDownLatch processDies = new CountDownLatch(1);
        ScriptedModel firstModel = new ScriptedModel(calls(call("c1", "weather", "{\"city\":\"Rome\"}")));
        ModelAgent first = ModelAgent.builder("assistant", firstModel).systemPrompt(SYSTEM)
                .tool(WEATHER, (request, turn) -> {
                    toolEntered.countDown();
                    processDies.await(); // the process hangs here, then is gone: the result never comes
                    return "too late";
                })
                .build();
        AtomicReference<RunResult> zombie = new AtomicReference<>();
        String sessionId;
        try (Stores dying = Stores.open(uri(), clock)) {
            AgentRuntime rt = AgentRuntime.builder(dying).clock(clock).heartbeat(Duration.ZERO).build();
            sessionId = rt.startSession("ops", "ada").id();
            Thread t = new Thread(() -> zombie.set(rt.run(sessionId, first, "Weather in Rome?")), "the-dying-process");
            t.start();
            assertThat(toolEntered.await(30, TimeUnit.SECONDS)).isTrue();

            // another process, later: recovers the abandoned run, then the session goes on
            ScriptedModel secondModel = new ScriptedModel(AiMessage.from("Hello again."));
            ModelAgent second = ModelAgent.builder("assistant", secondModel).systemPrompt(SYSTEM)
                    .tool(WEATHER, (request, turn) -> "sunny").build();
            String crashedRunId;
            try (Stores stores = Stores.open(uri(), clock)) {
                AgentRuntime other = AgentRuntime.builder(stores).clock(clock).build();
                clock.advance(Duration.ofMinutes(10));
                List<Run> recovered = other.recover(Duration.ofMinutes(5));
                assertThat(recovered).singleElement().satisfies(run -> {
                    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                    assertThat(run.error()).contains("abandoned");
                });
                crashedRunId = recovered.get(0).id();
                assertThat(types(log(stores, crashedRunId))).containsExactly(EventType.USER_MESSAGE,
                        EventType.ASSISTANT_MESSAGE, EventType.TOOL_CALL);

                RunResult next = other.run(sessionId, second, "Are you there?");
                assertThat(next.run().status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(next.reply()).contains("Hello again.");
            }
            List<ChatMessage> prompt = secondModel.prompt(0);
            assertWellFormed(prompt);
            assertThat(prompt).containsExactly(SystemMessage.from(SYSTEM), UserMessage.from("Weather in Rome?"),
                    UserMessage.from("Are you there?"));

            // the hung process wakes up: its late result is refused, the failed run stays as it was
            processDies.countDown();
            t.join(30_000);
            assertThat(zombie.get().run().status()).isEqualTo(RunStatus.FAILED);
            assertThat(types(log(dying, crashedRunId))).doesNotContain(EventType.TOOL_RESULT);
        }
    }

    // ------------------------------------------------------------------ 6. maxSteps and the builder

    @Test
    void aModelThatKeepsCallingToolsFailsTheRunAfterMaxStepsWithAMessageNamingIt() {
        ScriptedModel model = new ScriptedModel(calls(call("c1", "weather", "{\"city\":\"Lima\"}")),
                calls(call("c2", "weather", "{\"city\":\"Lima\"}")), AiMessage.from("never asked for"));
        ModelAgent agent = ModelAgent.builder("assistant", model).tool(WEATHER, (request, turn) -> "foggy").maxSteps(2).build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult r = rt.run(rt.startSession("ops", "ada").id(), agent, "Weather in Lima?");

            assertThat(r.run().status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.run().error()).contains("maxSteps is 2").contains("2 steps without answering");
            assertThat(log(stores, r.run().id())).filteredOn(e -> e.type() == EventType.TOOL_RESULT)
                    .extracting(e -> e.toolResult().callId()).as("the last step's results are stored").containsExactly("c1", "c2");
        }
        assertThat(model.requests).as("the model is called maxSteps times, no more").hasSize(2);
        assertThat(model.replies).hasSize(1);
    }

    @Test
    void theBuilderRefusesBadInputNamingTheField() {
        ChatModel model = new ScriptedModel();
        assertThatThrownBy(() -> ModelAgent.builder(" ", model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("id:");
        assertThatThrownBy(() -> ModelAgent.builder("a".repeat(256), model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("id:");
        assertThatThrownBy(() -> ModelAgent.builder(null, model)).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> ModelAgent.builder("a", null)).isInstanceOf(NullPointerException.class).hasMessage("chatModel");
        ModelAgent.Builder b = ModelAgent.builder("a", model);
        assertThatThrownBy(() -> b.maxSteps(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("maxSteps: at least 1, got 0");
        assertThatThrownBy(() -> b.systemPrompt("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("systemPrompt: must not be blank");
        assertThatThrownBy(() -> b.systemPrompt(null)).isInstanceOf(NullPointerException.class).hasMessage("systemPrompt");
        assertThatThrownBy(() -> b.tool(null, (r, t) -> "x")).isInstanceOf(NullPointerException.class).hasMessage("specification");
        assertThatThrownBy(() -> b.tool(WEATHER, null)).isInstanceOf(NullPointerException.class).hasMessage("executor");
        b.tool(WEATHER, (r, t) -> "x");
        assertThatThrownBy(() -> b.toolNeedingApproval(WEATHER, (r, t) -> "y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("specification.name(): a tool named 'weather' was already added");
        assertThatThrownBy(() -> b.tool(spec("bad\nname", "x"), (r, t) -> "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("specification.name():");
        // a refused setting leaves the builder as it was
        assertThat(b.build().maxSteps()).isEqualTo(ModelAgent.DEFAULT_MAX_STEPS);
        assertThat(b.build().toolSpecifications()).containsExactly(WEATHER);
    }

    // ------------------------------------------------------------------ more: several calls, approvals, pauses by tools

    @Test
    void severalCallsInOneResponseWithOneNeedingApprovalRunInOrderAcrossThePause() {
        List<String> executed = Collections.synchronizedList(new ArrayList<>());
        AiMessage three = calls(call("c1", "weather", "{\"city\":\"Bern\"}"), call("c2", "send_mail", "{\"to\":\"ops\"}"),
                call("c3", "weather", "{\"city\":\"Linz\"}"));
        ScriptedModel firstModel = new ScriptedModel(three);
        String runId;
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult paused = rt.run(rt.startSession("ops", "ada").id(), agent("mailer", firstModel, executed), "Weather to ops");
            runId = paused.run().id();
            assertThat(paused.suspension()).get().extracting(s -> s.data().get("callId")).isEqualTo("c2");
            assertThat(executed).as("the call before the one waiting ran; the one after waits too")
                    .containsExactly("weather {\"city\":\"Bern\"}");
        }
        ScriptedModel secondModel = new ScriptedModel(AiMessage.from("Done."));
        try (Stores stores = Stores.open(uri())) {
            RunResult done = AgentRuntime.create(stores).resume(runId, agent("mailer", secondModel, executed), Approval.grant("ada"));
            assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(log(stores, runId)).filteredOn(e -> e.type() == EventType.TOOL_RESULT)
                    .extracting(e -> e.toolResult().callId()).containsExactly("c1", "c2", "c3");
        }
        assertThat(executed).containsExactly("weather {\"city\":\"Bern\"}", "send_mail {\"to\":\"ops\"}", "weather {\"city\":\"Linz\"}");
        assertThat(secondModel.prompt(0)).containsExactly(UserMessage.from("Weather to ops"), three,
                result("c1", "weather", "weather done", false), result("c2", "send_mail", "send_mail done", false),
                result("c3", "weather", "weather done", false));
        assertWellFormed(secondModel.prompt(0));
    }

    private static ModelAgent agent(String id, ChatModel model, List<String> executed) {
        return ModelAgent.builder(id, model)
                .tool(WEATHER, (request, turn) -> {
                    executed.add("weather " + request.arguments());
                    return "weather done";
                })
                .toolNeedingApproval(SEND_MAIL, (request, turn) -> {
                    executed.add("send_mail " + request.arguments());
                    return "send_mail done";
                })
                .build();
    }

    @Test
    void twoCallsNeedingApprovalPauseTheRunTwice_oneGrantedOneDenied() {
        List<String> executed = Collections.synchronizedList(new ArrayList<>());
        AiMessage both = calls(call("m1", "send_mail", "{\"to\":\"a\"}"), call("m2", "send_mail", "{\"to\":\"b\"}"));
        ScriptedModel model = new ScriptedModel(both, AiMessage.from("Sent to a only."));
        ModelAgent agent = agent("mailer", model, executed);
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult first = rt.run(rt.startSession("ops", "ada").id(), agent, "Mail a and b");
            assertThat(first.suspension()).get().extracting(s -> s.data().get("callId")).isEqualTo("m1");
            RunResult second = rt.resume(first.run().id(), agent, Approval.grant("ada"));
            assertThat(second.run().status()).isEqualTo(RunStatus.PAUSED);
            assertThat(second.suspension()).get().extracting(s -> s.data().get("callId")).isEqualTo("m2");
            assertThat(model.requests).as("no model call while calls are pending").hasSize(1);
            RunResult done = rt.resume(first.run().id(), agent, Approval.deny("bob", "b is on leave"));
            assertThat(done.run().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(log(stores, done.run().id())).filteredOn(e -> e.type() == EventType.APPROVAL)
                    .extracting(e -> e.data().get("callId"), e -> e.data().get("granted"), e -> e.data().get("by"))
                    .containsExactly(tuple("m1", true, "ada"), tuple("m2", false, "bob"));
        }
        assertThat(executed).containsExactly("send_mail {\"to\":\"a\"}");
        assertThat(model.prompt(1)).containsExactly(UserMessage.from("Mail a and b"), both,
                result("m1", "send_mail", "send_mail done", false), result("m2", "send_mail", "denied: b is on leave", true));
    }

    @Test
    void aToolMayPauseTheRunForAnAnswerAndReadsItWhenItsCallRunsAgainOnResume() {
        ToolSpecification ask = spec("ask_user", "question");
        ScriptedModel model = new ScriptedModel(calls(call("q1", "ask_user", "{\"question\":\"Which colour?\"}")),
                AiMessage.from("Blue it is."));
        ModelAgent agent = ModelAgent.builder("painter", model)
                .tool(ask, (request, turn) -> {
                    Optional<Suspension> answering = turn.suspension().filter(s -> s.reason().equals("QUESTION"));
                    if (answering.isPresent()) {
                        return turn.input();
                    }
                    throw turn.suspend("QUESTION", Map.of("question", request.arguments()));
                })
                .build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult paused = rt.run(rt.startSession("art", "ada").id(), agent, "Paint the door");
            assertThat(paused.suspension()).get().extracting(Suspension::reason).isEqualTo("QUESTION");
            RunResult done = rt.resume(paused.run().id(), agent, "blue");
            assertThat(done.reply()).contains("Blue it is.");
        }
        assertThat(model.prompt(1)).endsWith(result("q1", "ask_user", "blue", false));
    }

    // ------------------------------------------------------------------ history, thinking, ids, unknown tools

    @Test
    void theNextRunSeesTheSessionsEarlierMessagesWithoutToolSteps_andThinkingIsStoredAndSentBack() {
        AiMessage thinkingCall = AiMessage.builder().thinking("The user wants Paris.")
                .toolExecutionRequests(List.of(call("c1", "weather", "{\"city\":\"Paris\"}"))).build();
        ScriptedModel model = new ScriptedModel(thinkingCall, AiMessage.from("Sunny."), AiMessage.from("Rain tomorrow."));
        ModelAgent agent = ModelAgent.builder("assistant", model).systemPrompt(SYSTEM).tool(WEATHER, (request, turn) -> "sunny").build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            String session = rt.startSession("ops", "ada").id();
            RunResult first = rt.run(session, agent, "Weather in Paris?");
            assertThat(log(stores, first.run().id())).filteredOn(e -> e.labels().containsKey(ModelAgent.STEP_LABEL))
                    .extracting(MemoryEvent::type, MemoryEvent::key)
                    .containsExactly(tuple(EventType.THINKING, "step:1:thinking"), tuple(EventType.ASSISTANT_MESSAGE, "step:1:message"),
                            tuple(EventType.TOOL_CALL, "call:c1"), tuple(EventType.ASSISTANT_MESSAGE, "step:2:message"));
            rt.run(session, agent, "And tomorrow?");
        }
        assertThat(model.prompt(1)).containsExactly(SystemMessage.from(SYSTEM), UserMessage.from("Weather in Paris?"),
                thinkingCall, result("c1", "weather", "sunny", false));
        assertThat(model.prompt(2)).containsExactly(SystemMessage.from(SYSTEM), UserMessage.from("Weather in Paris?"),
                AiMessage.from("Sunny."), UserMessage.from("And tomorrow?"));
    }

    @Test
    void aCompactedSessionsSummaryReachesTheModelAsASystemMessageInPlaceOfWhatItCovers() {
        ScriptedModel model = new ScriptedModel(AiMessage.from("Hi Ada."), AiMessage.from("Sunny."), AiMessage.from("Yes, Ada."));
        ModelAgent agent = ModelAgent.builder("assistant", model).systemPrompt(SYSTEM).build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            String session = rt.startSession("long", "ada").id();
            rt.run(session, agent, "I am Ada.");
            rt.run(session, agent, "Weather?");
            dev.memoria.context.Context context = dev.memoria.context.Context.of(stores);
            MemoryEvent hiAda = context.view(session, 50).events().get(1);
            context.compact(session, hiAda, "The user is Ada.", "by-hand");
            rt.run(session, agent, "Remember me?");
        }
        assertThat(model.prompt(2)).containsExactly(SystemMessage.from(SYSTEM + "\n\nSummary of the conversation so far: The user is Ada."),
                UserMessage.from("Weather?"), AiMessage.from("Sunny."), UserMessage.from("Remember me?"));
        model.requests.forEach(request -> assertWellFormed(request.messages()));
    }

    @Test
    void missingAndRepeatedCallIdsAreReplacedAndAnUnknownToolGetsAnErrorResult() {
        ScriptedModel model = new ScriptedModel(
                calls(call(null, "weather", "{\"city\":\"Oslo\"}"), call("x", "teleport", "{}")),
                calls(call("x", "weather", "{\"city\":\"Bergen\"}")),
                AiMessage.from("Done."));
        ModelAgent agent = ModelAgent.builder("assistant", model).tool(WEATHER, (request, turn) -> "cold in " + request.arguments()).build();
        try (Stores stores = Stores.open(uri())) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult r = rt.run(rt.startSession("ops", "ada").id(), agent, "Go");
            assertThat(r.run().status()).isEqualTo(RunStatus.COMPLETED);
            List<MemoryEvent> log = log(stores, r.run().id());
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_CALL).extracting(e -> e.toolCall().callId())
                    .containsExactly("call-1-1", "x", "call-2-1");
            assertThat(log).filteredOn(e -> e.type() == EventType.TOOL_RESULT)
                    .extracting(e -> e.toolResult().callId(), e -> e.toolResult().result(), e -> e.toolResult().isError())
                    .containsExactly(tuple("call-1-1", "cold in {\"city\":\"Oslo\"}", false),
                            tuple("x", "unknown tool 'teleport'; the tools are: weather", true),
                            tuple("call-2-1", "cold in {\"city\":\"Bergen\"}", false));
        }
        assertThat(model.prompt(2)).containsExactly(UserMessage.from("Go"),
                calls(call("call-1-1", "weather", "{\"city\":\"Oslo\"}"), call("x", "teleport", "{}")),
                result("call-1-1", "weather", "cold in {\"city\":\"Oslo\"}", false),
                result("x", "teleport", "unknown tool 'teleport'; the tools are: weather", true),
                calls(call("call-2-1", "weather", "{\"city\":\"Bergen\"}")),
                result("call-2-1", "weather", "cold in {\"city\":\"Bergen\"}", false));
        model.requests.forEach(request -> assertWellFormed(request.messages()));
    }

    @Test
    void toStringNamesTheAgentItsToolsAndMaxSteps() {
        ModelAgent agent = ModelAgent.builder("mailer", new ScriptedModel()).systemPrompt(SYSTEM)
                .tool(WEATHER, (r, t) -> "x").toolNeedingApproval(SEND_MAIL, (r, t) -> "y").maxSteps(8).build();
        assertThat(agent).hasToString("ModelAgent[mailer, model ScriptedModel, tools [weather, send_mail (needs approval)],"
                + " maxSteps 8, with a system prompt]");
        assertThat(agent.needsApproval("send_mail")).isTrue();
        assertThat(agent.needsApproval("weather")).isFalse();
        assertThat(agent.needsApproval("nope")).isFalse();
    }

    // ------------------------------------------------------------------ the README's example

    /** What the README's example calls: a forecast service and a mailer. */
    static final class Weather {
        String forecast(String argumentsJson) {
            return "sunny";
        }
    }

    static final class Mailer {
        final List<String> sent = new ArrayList<>();

        String send(String argumentsJson) {
            sent.add(argumentsJson);
            return "sent";
        }
    }

    @Test
    void theReadmeExamplePausesForApprovalAndResumesInAnotherProcess() {
        Path file = dir.resolve("agent.db");
        ScriptedModel model = new ScriptedModel(calls(call("c1", "weather", "{\"city\":\"Zurich\"}")),
                calls(call("c2", "send_mail", "{\"to\":\"ops@example.com\"}")), AiMessage.from("Sent the forecast to ops."));
        ToolSpecification weatherSpec = WEATHER;
        ToolSpecification sendMailSpec = SEND_MAIL;
        Weather weather = new Weather();
        Mailer mailer = new Mailer();
        Optional<Suspension> waitingFor;
        Optional<String> reply;
        // model-agent:start
        ModelAgent agent = ModelAgent.builder("assistant", model)
                .systemPrompt("You help the ops team.")
                .tool(weatherSpec, (request, turn) -> weather.forecast(request.arguments()))
                .toolNeedingApproval(sendMailSpec, (request, turn) -> mailer.send(request.arguments()))
                .maxSteps(8)
                .build();

        String runId;  // all the other process needs
        try (Stores stores = JdbcStores.sqlite(file)) {
            AgentRuntime rt = AgentRuntime.create(stores);
            RunResult paused = rt.run(rt.startSession("ops-7", "ada").id(), agent, "Mail the forecast to ops");
            runId = paused.run().id();  // PAUSED
            waitingFor = paused.suspension();  // APPROVAL of send_mail, with its arguments
        }

        // another process, any time later, with the agent built alike
        try (Stores stores = JdbcStores.sqlite(file)) {
            RunResult done = AgentRuntime.create(stores).resume(runId, agent, Approval.grant("ada"));
            reply = done.reply();  // Optional[Sent the forecast to ops.]
        }
        // model-agent:end
        assertThat(waitingFor).get().satisfies(s -> assertThat(s.data()).containsEntry("tool", "send_mail"));
        assertThat(reply).contains("Sent the forecast to ops.");
        assertThat(mailer.sent).containsExactly("{\"to\":\"ops@example.com\"}");

        String readme = Snippets.readme();
        String source = Snippets.moduleFile("src/test/java/dev/memoria/langchain4j/ModelAgentTest.java");
        assertThat(Snippets.inReadme(readme, "model-agent")).isEqualTo(Snippets.inSource(source, "model-agent")
                .replace("JdbcStores.sqlite(file)", "JdbcStores.sqlite(Path.of(\"agent.db\"))")
                .replace("waitingFor = ", "Optional<Suspension> waitingFor = ")
                .replace("reply = ", "Optional<String> reply = "));
    }
}
