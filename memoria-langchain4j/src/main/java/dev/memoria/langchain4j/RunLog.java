package dev.memoria.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.memoria.context.Conversation.Message;
import dev.memoria.memory.Event;
import dev.memoria.memory.EventType;
import dev.memoria.memory.MemoryEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ModelAgent}'s reading of a run's log (and of a session's history): which model steps
 * it holds, which tool calls still wait for a result, what was decided on them, and the
 * conversation a model must be sent. Computed from the stored events alone, every turn, so that a
 * resume in another process needs nothing but the log. Events become LangChain4j messages through
 * {@link MessageMapper}, as the chat memories read them.
 *
 * <p>What becomes a message: the user's messages; each model step (the THINKING, ASSISTANT_MESSAGE
 * and TOOL_CALL events labelled {@value ModelAgent#STEP_LABEL} with its number) as one
 * {@link AiMessage}, followed at once by one {@link ToolExecutionResultMessage} per tool call, in
 * the calls' order, wherever the results are in the log (the first result of a call counts); an
 * assistant message with text that no step wrote (a tool's own {@code turn.say}). Nothing else:
 * suspensions, resumes, approvals, planner notes, results of calls no step made. A call of a step
 * without a result (which {@link ModelAgent} never sends, it resolves them first) is paired with a
 * synthetic error result, so that the conversation is always one a model API accepts.
 */
final class RunLog {
    /** The text of the synthetic result of a call that has none. */
    static final String NO_RESULT = "no result: the call was interrupted before its tool returned";

    /** A tool call of a model step, as stored. */
    record Call(MemoryEvent event, String callId, ToolExecutionRequest request) {
    }

    /** A model step: its number, its events and the message they stand for. */
    private record Step(int number, AiMessage message, List<Call> calls) {
    }

    private final List<Object> order; // MemoryEvent (a user or plain assistant message) or Step
    private final List<Step> steps;
    private final Map<String, MemoryEvent> results;
    private final Map<String, MemoryEvent> approvals;
    private final Set<String> callIds;
    private final int lastStep;

    private RunLog(List<Object> order, List<Step> steps, Map<String, MemoryEvent> results,
            Map<String, MemoryEvent> approvals, Set<String> callIds, int lastStep) {
        this.order = order;
        this.steps = steps;
        this.results = results;
        this.approvals = approvals;
        this.callIds = callIds;
        this.lastStep = lastStep;
    }

    /**
     * @param events a run's events, oldest first
     * @return its reading
     */
    static RunLog read(List<MemoryEvent> events) {
        Map<Integer, List<MemoryEvent>> byStep = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>();
        Map<String, MemoryEvent> results = new HashMap<>();
        Map<String, MemoryEvent> approvals = new HashMap<>();
        Set<String> callIds = new HashSet<>();
        int lastStep = 0;
        for (MemoryEvent e : events) {
            EventType type = e.type();
            int step = stepOf(e);
            if (step > 0 && (type == EventType.THINKING || type == EventType.ASSISTANT_MESSAGE || type == EventType.TOOL_CALL)) {
                List<MemoryEvent> group = byStep.get(step);
                if (group == null) {
                    group = new ArrayList<>();
                    byStep.put(step, group);
                    order.add(step);
                }
                group.add(e);
                lastStep = Math.max(lastStep, step);
                if (type == EventType.TOOL_CALL && e.data().get(MessageMapper.CALL_ID) instanceof String id) {
                    callIds.add(id);
                }
                continue;
            }
            switch (type) {
                case USER_MESSAGE, ASSISTANT_MESSAGE -> order.add(e);
                case TOOL_RESULT -> {
                    if (e.data().get(MessageMapper.CALL_ID) instanceof String id) {
                        results.putIfAbsent(id, e);
                    }
                }
                case APPROVAL -> {
                    if (e.data().get(MessageMapper.CALL_ID) instanceof String id) {
                        approvals.put(id, e);
                    }
                }
                default -> {
                    // not for the model: suspensions, resumes, notes, markers, types of newer versions
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        List<Object> resolved = new ArrayList<>(order.size());
        for (Object item : order) {
            if (item instanceof Integer number) {
                Step step = step(number, byStep.get(number));
                if (step != null) {
                    steps.add(step);
                    resolved.add(step);
                }
            } else {
                resolved.add(item);
            }
        }
        return new RunLog(resolved, steps, results, approvals, callIds, lastStep);
    }

    /** The step number of an event a {@link ModelAgent} wrote, or 0. */
    private static int stepOf(MemoryEvent e) {
        String label = e.labels().get(ModelAgent.STEP_LABEL);
        if (label == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(label));
        } catch (NumberFormatException notOurs) {
            return 0;
        }
    }

    /** A step's events as the AI message they stand for, or null if they do not read as one. */
    private static Step step(int number, List<MemoryEvent> events) {
        List<Event> plain = new ArrayList<>(events.size());
        try {
            for (MemoryEvent e : events) {
                plain.add(plain(e));
            }
        } catch (IllegalArgumentException storedUnderOtherRules) {
            return null;
        }
        if (!(MessageMapper.decode(new Message(plain)) instanceof AiMessage ai)) {
            return null; // not a shape the mapper writes: not sent rather than sent wrong
        }
        List<MemoryEvent> callEvents = events.stream().filter(e -> e.type() == EventType.TOOL_CALL).toList();
        List<ToolExecutionRequest> requests = ai.toolExecutionRequests();
        List<Call> calls = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            ToolExecutionRequest r = requests.get(i);
            if (r.id() == null) {
                return null; // every call a ModelAgent stores has an id; without one no result can be paired
            }
            calls.add(new Call(callEvents.get(i), r.id(), r));
        }
        return new Step(number, ai, calls);
    }

    /** @return the number of model steps the run holds: the model calls made so far */
    int steps() {
        return lastStep;
    }

    /** @return the call ids of every tool call of the run's steps */
    Set<String> callIds() {
        return callIds;
    }

    /** @return the tool calls of the run's steps that have no result yet, in the order they were made */
    List<Call> pendingCalls() {
        List<Call> pending = new ArrayList<>();
        for (Step step : steps) {
            for (Call call : step.calls()) {
                if (!results.containsKey(call.callId())) {
                    pending.add(call);
                }
            }
        }
        return pending;
    }

    /**
     * @param callId a tool call's id
     * @return the latest APPROVAL event deciding on it, if any
     */
    Optional<MemoryEvent> decision(String callId) {
        return Optional.ofNullable(approvals.get(callId));
    }

    /**
     * @return whether the run's latest message is the model's answer (an AI message without tool
     *     calls): there is nothing left to ask the model
     */
    boolean answered() {
        List<ChatMessage> messages = messages();
        return !messages.isEmpty() && messages.get(messages.size() - 1) instanceof AiMessage ai && !ai.hasToolExecutionRequests();
    }

    /** @return the run's conversation for a model, oldest first (see the class comment) */
    List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>();
        for (Object item : order) {
            if (item instanceof Step step) {
                out.add(step.message());
                for (Call call : step.calls()) {
                    out.add(result(call));
                }
            } else {
                ChatMessage m = single((MemoryEvent) item);
                if (m instanceof UserMessage || m instanceof AiMessage ai && hasText(ai)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private ChatMessage result(Call call) {
        MemoryEvent stored = results.get(call.callId());
        ChatMessage m = stored == null ? null : single(stored);
        if (m instanceof ToolExecutionResultMessage r) {
            return r;
        }
        return ToolExecutionResultMessage.builder().id(call.callId()).toolName(call.request().name())
                .text(stored == null ? NO_RESULT : "no result: the stored result cannot be read").isError(true).build();
    }

    /**
     * A session's earlier messages for a model: the user's messages and the assistant's messages
     * that have text (those of a step that only called tools have none, and their calls are not in
     * the history), starting with a user message (a window that starts with a reply drops it, as
     * APIs that want the user first would refuse it).
     *
     * @param history earlier USER_MESSAGE and ASSISTANT_MESSAGE events, oldest first
     * @param runId the current run, whose own events are left to {@link #messages()}
     * @return the messages
     */
    /** How a summary of the earlier conversation is introduced to the model. */
    static final String SUMMARY_PREFIX = "Summary of the conversation so far: ";

    static List<ChatMessage> history(List<MemoryEvent> history, String runId) {
        List<ChatMessage> out = new ArrayList<>();
        boolean user = false;
        for (MemoryEvent e : history) {
            if (e.run().runId().equals(runId)) {
                continue;
            }
            if (e.type() == EventType.SUMMARY && e.textIfAny().isPresent()) {
                // a compacted session's view starts with its summary (C2): it stands for what it covers
                out.add(dev.langchain4j.data.message.SystemMessage.from(SUMMARY_PREFIX + e.textIfAny().get()));
                continue;
            }
            ChatMessage m = e.type() == EventType.USER_MESSAGE || e.type() == EventType.ASSISTANT_MESSAGE ? single(e) : null;
            if (m instanceof UserMessage || m instanceof AiMessage ai && hasText(ai) && user) {
                out.add(m);
                user |= m instanceof UserMessage;
            }
        }
        return out;
    }

    private static boolean hasText(AiMessage ai) {
        return ai.text() != null && !ai.text().isBlank();
    }

    /** The event for the mapper, which reads types and data only: without its labels (a conversation's own among them). */
    private static Event plain(MemoryEvent e) {
        return new Event(e.key(), e.typeName(), e.timestamp(), e.data(), Map.of());
    }

    /** One event as the message it stands for, or null if it cannot be read. */
    private static ChatMessage single(MemoryEvent e) {
        try {
            return MessageMapper.decode(Message.of(plain(e)));
        } catch (IllegalArgumentException storedUnderOtherRules) {
            return null;
        }
    }
}
