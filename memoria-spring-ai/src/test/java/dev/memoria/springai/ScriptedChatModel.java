package dev.memoria.springai;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/** The only test double: a chat model that answers from a script and records every prompt it was sent. */
final class ScriptedChatModel implements ChatModel {
    private final Deque<Function<Prompt, AssistantMessage>> script = new ArrayDeque<>();
    /** The messages of each prompt received, in order. */
    final List<List<Message>> prompts = new ArrayList<>();

    /** Next, answers with this text. */
    ScriptedChatModel reply(String text) {
        script.add(prompt -> new AssistantMessage(text));
        return this;
    }

    /** Next, asks for a tool. */
    ScriptedChatModel callTool(String callId, String tool, String arguments) {
        script.add(prompt -> AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall(callId, "function", tool, arguments))).build());
        return this;
    }

    /** Next, answers with the latest tool response it was given. */
    ScriptedChatModel replyWithToolResult(String prefix) {
        script.add(prompt -> {
            List<Message> messages = prompt.getInstructions();
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i) instanceof ToolResponseMessage t) {
                    return new AssistantMessage(prefix + t.getResponses().get(0).responseData());
                }
            }
            throw new AssertionError("no tool response in the prompt: " + messages);
        });
        return this;
    }

    @Override
    public synchronized ChatResponse call(Prompt prompt) {
        prompts.add(List.copyOf(prompt.getInstructions()));
        Function<Prompt, AssistantMessage> next = script.poll();
        if (next == null) {
            throw new AssertionError("the script has no answer left for " + prompt.getInstructions());
        }
        return new ChatResponse(List.of(new Generation(next.apply(prompt))));
    }

    @Override
    public ChatOptions getOptions() {
        // tool-calling options: the ChatClient's tool loop runs only on them
        return ToolCallingChatOptions.builder().build();
    }

    /** @return the last prompt's messages without the empty system message the tool loop adds */
    List<Message> lastPrompt() {
        return withoutBlankSystem(prompts.get(prompts.size() - 1));
    }

    static List<Message> withoutBlankSystem(List<Message> messages) {
        return messages.stream()
                .filter(m -> !(m instanceof org.springframework.ai.chat.messages.SystemMessage s && s.getText().isEmpty()))
                .toList();
    }
}
