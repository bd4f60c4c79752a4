package dev.memoria.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.memoria.RunNotRunningException;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import dev.memoria.runtime.Agent;
import dev.memoria.runtime.AgentRuntime;
import dev.memoria.runtime.Approval;
import dev.memoria.runtime.RunSuspendedException;
import dev.memoria.runtime.Turn;
import dev.memoria.spi.Checks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An {@link Agent} driven by a LangChain4j {@link ChatModel}, for Memoria's {@link AgentRuntime}:
 * it sends the conversation to the model, runs the tools the model asks for, and loops until the
 * model answers without calling a tool. Every step is stored as it happens, and tools may need a
 * person's approval: the run then pauses and continues from the stores alone, in any process.
 *
 * <pre>{@code
 * ModelAgent agent = ModelAgent.builder("assistant", chatModel)
 *         .systemPrompt("You help with the weather and send mail.")
 *         .tool(weatherSpec, (request, turn) -> weather.lookup(request.arguments()))
 *         .toolNeedingApproval(sendMailSpec, (request, turn) -> mailer.send(request.arguments()))
 *         .maxSteps(8)
 *         .build();
 * RunResult r = rt.run(sessionId, agent, "Mail the forecast to ops");   // PAUSED: send_mail waits
 * // later, anywhere: a new AgentRuntime on the same stores, a new ModelAgent built alike
 * RunResult done = rt.resume(r.run().id(), agent, Approval.grant("ada")); // runs send_mail, COMPLETED
 * }</pre>
 *
 * <h2>A turn</h2>
 * {@link #handle(Turn)} does, on a run's first turn and on every resume alike:
 * <ol>
 *   <li><b>Pending calls first.</b> The run's tool calls that have no result yet are resolved in
 *       the order the model made them: a tool is executed; a tool
 *       {@linkplain Builder#toolNeedingApproval needing approval} is executed only if the run's log
 *       holds an APPROVAL granting that call id, and otherwise the run pauses with
 *       {@link Turn#requestApproval} (resume it with {@link Approval#grant} or
 *       {@link Approval#deny}; on a denial the runtime stores the call's error result
 *       {@code "denied: reason"}, so the call is no longer pending and the model is told why). A
 *       call of a tool the agent does not have gets the error result {@code "unknown tool …"}.</li>
 *   <li><b>The prompt</b>, rebuilt from the stores every time: the system prompt, the session's
 *       earlier messages ({@link Turn#history()}: user messages and assistant messages with text,
 *       starting with a user message), then this run's own messages read from
 *       {@link Turn#events()}: the user's message, each model step as the {@link AiMessage} it
 *       returned (thinking, text, attributes, tool calls), each followed at once by its
 *       {@link ToolExecutionResultMessage}s in the calls' order. Suspensions, resumes, approvals,
 *       planner notes and other markers are left out; a result is never sent without its call nor a
 *       call without a result, so the prompt is one every model API accepts.</li>
 *   <li><b>The model</b> is called with the prompt and every tool's specification, unless its last
 *       step already answered (then the turn ends) or it has been called {@link Builder#maxSteps}
 *       times in this run (then the run fails, with a message naming {@code maxSteps}). Its
 *       response is stored, then the loop starts again at 1 if it called tools; otherwise the
 *       turn ends and the run completes, the model's text its reply.</li>
 * </ol>
 *
 * <h2>What is stored</h2>
 * Each model response is stored as {@link MemoriaChatMemoryStore} stores an {@link AiMessage}
 * (THINKING if any, ASSISTANT_MESSAGE, one TOOL_CALL per request), each event labelled
 * {@value #STEP_LABEL} = the step's number (1 for the run's first model call); each tool's result is
 * a TOOL_RESULT {@code {callId, tool, result, isError}}. Idempotency keys: {@code call:<callId>}
 * and {@code result:<callId>} for calls and results, {@code step:<n>:thinking} and
 * {@code step:<n>:message} for the rest, so that no step is written twice. A call id the model
 * leaves out, repeats within the run, or that could not be stored as a key (blank, over 200
 * characters, control characters) is replaced by {@code call-<step>-<index>} in both the call and
 * its result. A tool that throws gives an error result with the exception's message
 * ({@code isError} true) and the model goes on; a result that cannot be stored (over 1 MiB, a NUL
 * character) becomes an error result saying so.
 *
 * <h2>Nothing in memory</h2>
 * The agent keeps no state between turns: whatever a turn needs is read from the run's log, so a
 * run paused in one process is resumed by another {@code ModelAgent} built alike (same id and
 * tools), in another {@link AgentRuntime}, on freshly opened stores. A crash while a tool runs
 * leaves the run RUNNING with a call that has no result; {@link AgentRuntime#recover} marks it
 * FAILED, and the session's next runs do not see the dangling call (the history holds messages
 * only). Immutable and thread-safe: one instance may serve many runs at once.
 */
public final class ModelAgent implements Agent {
    /** The most model calls in one run when none is configured. */
    public static final int DEFAULT_MAX_STEPS = 10;
    /** The label on the events of a model response: the step's number, 1 for the run's first model call. */
    public static final String STEP_LABEL = "memoria.step";
    /** The result stored for a tool whose executor returned null, as LangChain4j's own executor says for a void tool. */
    public static final String NULL_RESULT = "Success";
    /** The longest call id kept as the model gave it (the idempotency key adds a prefix to it). */
    private static final int MAX_CALL_ID_LENGTH = 200;
    private static final String CALL_KEY = "call:";
    private static final String RESULT_KEY = "result:";

    /**
     * Runs one tool: the Memoria counterpart of LangChain4j's {@code ToolExecutor} (which lives in
     * the {@code langchain4j} artifact, which this module does not require). To reuse one of
     * those: {@code (request, turn) -> executor.execute(request, turn.session().id())}.
     */
    @FunctionalInterface
    public interface ToolExecutor {
        /**
         * Executes a tool call. It is called once per call id: again only if a crash or a pause
         * interrupted it before its result was stored. A tool may pause the run itself
         * ({@code throw turn.suspend("QUESTION", data)}, for an answer or an external result): its
         * call stays pending and is executed again on resume, when {@link Turn#suspension()} and
         * {@link Turn#input()} carry the answer.
         *
         * @param request the call as the model made it: its id, the tool's name, the arguments
         *     as a JSON string
         * @param turn the turn it runs in: the session, the run, where to emit events of its own
         *     (planner notes, child runs with {@link Turn#delegate})
         * @return the result the model reads; null is stored as {@value ModelAgent#NULL_RESULT}
         * @throws Exception a failure: stored as the call's error result (the exception's message)
         *     and shown to the model, which goes on; an {@link Error}, an
         *     {@link InterruptedException}, a {@link RunSuspendedException} or a
         *     {@link RunNotRunningException} is let through and ends the turn instead
         */
        String execute(ToolExecutionRequest request, Turn turn) throws Exception;
    }

    /** A tool: what the model is told, what runs it, and whether a person approves each call. */
    private record Tool(ToolSpecification specification, ToolExecutor executor, boolean needsApproval) {
    }

    private final String id;
    private final ChatModel chatModel;
    private final SystemMessage systemPrompt;
    private final Map<String, Tool> tools;
    private final List<ToolSpecification> specifications;
    private final int maxSteps;

    private ModelAgent(Builder b) {
        this.id = b.id;
        this.chatModel = b.chatModel;
        this.systemPrompt = b.systemPrompt == null ? null : SystemMessage.from(b.systemPrompt);
        this.tools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.tools));
        this.specifications = tools.values().stream().map(Tool::specification).toList();
        this.maxSteps = b.maxSteps;
    }

    /**
     * @param id the agent's id, stored in each run it executes: 1 to 255 characters, no control
     *     characters. A run is resumed by an agent of the same id
     * @param chatModel the model; its own settings (temperature, model name…) apply to every call
     * @return a builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the id is blank, too long or has control characters
     */
    public static Builder builder(String id, ChatModel chatModel) {
        return new Builder(id, chatModel);
    }

    /** @return the agent's id */
    @Override
    public String id() {
        return id;
    }

    /** @return the most model calls one run may make */
    public int maxSteps() {
        return maxSteps;
    }

    /** @return the tools' specifications, as the model is sent them, in the order they were added */
    public List<ToolSpecification> toolSpecifications() {
        return specifications;
    }

    /**
     * @param toolName a tool's name
     * @return whether the agent has this tool and each of its calls waits for a person's approval
     */
    public boolean needsApproval(String toolName) {
        Tool tool = toolName == null ? null : tools.get(toolName);
        return tool != null && tool.needsApproval();
    }

    /**
     * Resolves the run's pending tool calls, then calls the model and runs its tools until it
     * answers (see the class comment).
     *
     * @param turn the turn: a run's first, or a resume
     * @throws RunSuspendedException when a call waits for approval (the run pauses)
     * @throws IllegalStateException when the model would be called more than
     *     {@link #maxSteps()} times in the run, or returns no message
     * @throws Exception what the model throws, and whatever stops the turn (a cancellation's
     *     {@link RunNotRunningException}, an interruption)
     */
    @Override
    public void handle(Turn turn) throws Exception {
        Objects.requireNonNull(turn, "turn");
        while (true) {
            resolvePendingCalls(turn);
            RunLog log = RunLog.read(turn.events());
            if (log.answered()) {
                return;
            }
            if (log.steps() >= maxSteps) {
                throw new IllegalStateException("ModelAgent " + id + ": the model called tools in each of its " + log.steps()
                        + " steps without answering, and maxSteps is " + maxSteps
                        + " (raise it with ModelAgent.Builder.maxSteps, or look at the tools' results in the run's log)");
            }
            if (turn.isCanceled()) {
                return; // the runtime ends the run CANCELED; no model call for a run nobody waits for
            }
            List<ChatMessage> prompt = new ArrayList<>();
            List<ChatMessage> history = RunLog.history(turn.history(), turn.run().id());
            // one system message, first, as every model API accepts: a compacted session's summary joins the prompt's
            if (!history.isEmpty() && history.get(0) instanceof dev.langchain4j.data.message.SystemMessage summary) {
                history = history.subList(1, history.size());
                prompt.add(systemPrompt == null ? summary
                        : dev.langchain4j.data.message.SystemMessage.from(systemPrompt.text() + "\n\n" + summary.text()));
            } else if (systemPrompt != null) {
                prompt.add(systemPrompt);
            }
            prompt.addAll(history);
            prompt.addAll(log.messages());
            ChatRequest.Builder request = ChatRequest.builder().messages(prompt);
            if (!specifications.isEmpty()) {
                request.toolSpecifications(specifications);
            }
            ChatResponse response = chatModel.chat(request.build());
            AiMessage answer = response == null ? null : response.aiMessage();
            if (answer == null) {
                throw new IllegalStateException("ModelAgent " + id + ": the model returned no AiMessage at step " + (log.steps() + 1));
            }
            store(turn, log.steps() + 1, answer, log.callIds());
            if (!answer.hasToolExecutionRequests()) {
                return;
            }
        }
    }

    /** Executes (or asks approval for) each call of the run without a result, in order. */
    private void resolvePendingCalls(Turn turn) throws Exception {
        RunLog log = RunLog.read(turn.events());
        for (RunLog.Call call : log.pendingCalls()) {
            ToolExecutionRequest request = call.request();
            Tool tool = request.name() == null ? null : tools.get(request.name());
            if (tool == null) {
                storeResult(turn, call, "unknown tool " + (request.name() == null ? "(no name)" : "'" + request.name() + "'")
                        + "; the tools are: " + (tools.isEmpty() ? "none" : String.join(", ", tools.keySet())), true);
                continue;
            }
            if (tool.needsApproval()) {
                Optional<MemoryEvent> decision = log.decision(call.callId());
                if (decision.isEmpty()) {
                    throw turn.requestApproval(call.event().toEvent()); // the call is stored already: the same key, a no-op
                }
                if (!Boolean.TRUE.equals(decision.get().data().get("granted"))) {
                    // the runtime stores a denial's result with the decision; should it be missing, the same result
                    Object reason = decision.get().data().get("reason");
                    storeResult(turn, call, reason instanceof String r && !r.isEmpty() ? "denied: " + r : "denied", true);
                    continue;
                }
            }
            String result;
            boolean isError;
            try {
                String returned = tool.executor().execute(request, turn);
                result = returned == null ? NULL_RESULT : returned;
                isError = false;
            } catch (RunSuspendedException | RunNotRunningException | InterruptedException stopsTheTurn) {
                throw stopsTheTurn;
            } catch (Exception failed) {
                result = failed.getMessage() == null || failed.getMessage().isBlank() ? failed.getClass().getName() : failed.getMessage();
                isError = true;
            }
            storeResult(turn, call, result, isError);
        }
    }

    private static void storeResult(Turn turn, RunLog.Call call, String text, boolean isError) {
        String tool = call.request().name();
        Event event;
        try {
            event = resultEvent(call.callId(), tool, text, isError);
        } catch (IllegalArgumentException notStorable) {
            event = resultEvent(call.callId(), tool, "the tool's result could not be stored (" + text.length()
                    + " characters): " + notStorable.getMessage(), true);
        }
        turn.emit(event.withKey(RESULT_KEY + call.callId()));
    }

    private static Event resultEvent(String callId, String tool, String text, boolean isError) {
        ToolExecutionResultMessage m = ToolExecutionResultMessage.builder()
                .id(callId).toolName(tool).text(text).isError(isError).build();
        return MessageMapper.encode(m, "the result of tool call " + callId).events().get(0);
    }

    /** Stores a model response as step {@code step}, its call ids made usable first. */
    private static void store(Turn turn, int step, AiMessage answer, Set<String> usedCallIds) {
        AiMessage message = answer;
        if (answer.hasToolExecutionRequests()) {
            Set<String> used = new HashSet<>(usedCallIds);
            List<ToolExecutionRequest> requests = new ArrayList<>();
            List<ToolExecutionRequest> given = answer.toolExecutionRequests();
            boolean changed = false;
            for (int i = 0; i < given.size(); i++) {
                ToolExecutionRequest r = Objects.requireNonNull(given.get(i), "the model's toolExecutionRequests[" + i + "]");
                String callId = r.id();
                if (!usable(callId) || !used.add(callId)) {
                    callId = "call-" + step + "-" + (i + 1);
                    for (int n = 2; !used.add(callId); n++) {
                        callId = "call-" + step + "-" + (i + 1) + "-" + n;
                    }
                    r = r.toBuilder().id(callId).build();
                    changed = true;
                }
                requests.add(r);
            }
            if (changed) {
                message = answer.toBuilder().toolExecutionRequests(requests).build();
            }
        }
        String label = Integer.toString(step);
        for (Event e : MessageMapper.encode(message, "the model's response at step " + step).events()) {
            String key = e.type() == EventType.TOOL_CALL ? CALL_KEY + e.data().get(MessageMapper.CALL_ID)
                    : e.type() == EventType.THINKING ? "step:" + step + ":thinking" : "step:" + step + ":message";
            turn.emit(e.withKey(key).withLabel(STEP_LABEL, label));
        }
    }

    private static boolean usable(String callId) {
        if (callId == null || callId.length() > MAX_CALL_ID_LENGTH) {
            return false;
        }
        try {
            Checks.id(callId, "callId");
            return true;
        } catch (IllegalArgumentException blankOrControlCharacters) {
            return false;
        }
    }

    /** @return the id, the model's class, the tools (those needing approval marked) and maxSteps */
    @Override
    public String toString() {
        String toolList = tools.values().stream()
                .map(t -> t.specification().name() + (t.needsApproval() ? " (needs approval)" : ""))
                .collect(Collectors.joining(", ", "[", "]"));
        return "ModelAgent[" + id + ", model " + chatModel.getClass().getSimpleName() + ", tools " + toolList
                + ", maxSteps " + maxSteps + (systemPrompt == null ? "" : ", with a system prompt") + "]";
    }

    /** Configures a {@link ModelAgent}; every setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final String id;
        private final ChatModel chatModel;
        private String systemPrompt;
        private final Map<String, Tool> tools = new LinkedHashMap<>();
        private int maxSteps = DEFAULT_MAX_STEPS;

        private Builder(String id, ChatModel chatModel) {
            this.id = Checks.id(id, "id");
            this.chatModel = Objects.requireNonNull(chatModel, "chatModel");
        }

        /**
         * @param systemPrompt the instructions sent first in every prompt; not stored in the run's
         *     log (it is the agent's configuration); none when not set
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder systemPrompt(String systemPrompt) {
            Objects.requireNonNull(systemPrompt, "systemPrompt");
            if (systemPrompt.isBlank()) {
                throw new IllegalArgumentException("systemPrompt: must not be blank (leave it unset for none)");
            }
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * Adds a tool the agent runs as soon as the model asks for it.
         *
         * @param specification what the model is told: the name, the description, the parameters
         * @param executor what runs it
         * @return this builder
         * @throws IllegalArgumentException if a tool of that name was already added, or the name is
         *     over 255 characters or has control characters
         */
        public Builder tool(ToolSpecification specification, ToolExecutor executor) {
            return add(specification, executor, false);
        }

        /**
         * Adds a tool each of whose calls waits for a person's decision: the run pauses with
         * reason {@code APPROVAL} (data {@code callId}, {@code tool}, {@code arguments}); resumed
         * with {@link Approval#grant}, the agent runs the call, with {@link Approval#deny} the model
         * is told {@code "denied: reason"}.
         *
         * @param specification what the model is told
         * @param executor what runs it once granted
         * @return this builder
         * @throws IllegalArgumentException as {@link #tool}
         */
        public Builder toolNeedingApproval(ToolSpecification specification, ToolExecutor executor) {
            return add(specification, executor, true);
        }

        private Builder add(ToolSpecification specification, ToolExecutor executor, boolean needsApproval) {
            Objects.requireNonNull(specification, "specification");
            Objects.requireNonNull(executor, "executor");
            String name = Checks.id(Objects.requireNonNull(specification.name(), "specification.name()"), "specification.name()");
            if (tools.containsKey(name)) {
                throw new IllegalArgumentException("specification.name(): a tool named '" + name
                        + "' was already added; tool names are unique within an agent");
            }
            tools.put(name, new Tool(specification, executor, needsApproval));
            return this;
        }

        /**
         * @param maxSteps the most model calls in one run, at least 1 (default
         *     {@value ModelAgent#DEFAULT_MAX_STEPS}); a run whose model still calls tools after
         *     that many calls fails, its tools' results stored
         * @return this builder
         * @throws IllegalArgumentException if it is less than 1
         */
        public Builder maxSteps(int maxSteps) {
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps: at least 1, got " + maxSteps);
            }
            this.maxSteps = maxSteps;
            return this;
        }

        /** @return the agent */
        public ModelAgent build() {
            return new ModelAgent(this);
        }

        @Override
        public String toString() {
            return "ModelAgent.Builder[" + id + ", " + tools.size() + " tools, maxSteps " + maxSteps + "]";
        }
    }
}
