// The docs' patterns: threads made in a mutation, a one-shot `generateText` in an action, async
// streaming (save the prompt in a mutation, stream in a scheduled action with deltas saved), a
// `listUIMessages` + `syncStreams` query for clients, and context search over saved messages.
import { createThread, listMessages, listUIMessages, syncStreams, vStreamArgs } from "@convex-dev/agent";
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { components, internal } from "./_generated/api";
import { action, internalAction, mutation, query } from "./_generated/server";
import { agent } from "./agents";

export const newThread = mutation({
  args: { userId: v.string(), title: v.optional(v.string()) },
  handler: async (ctx, { userId, title }) => {
    return await createThread(ctx, components.agent, { userId, title });
  },
});

export const generate = action({
  args: { threadId: v.string(), prompt: v.string() },
  handler: async (ctx, { threadId, prompt }) => {
    const { thread } = await agent.continueThread(ctx, { threadId });
    const result = await thread.generateText({ prompt });
    return { text: result.text, steps: result.steps.length, messageId: result.messageId };
  },
});

export const sendMessage = mutation({
  args: { threadId: v.string(), prompt: v.string() },
  handler: async (ctx, { threadId, prompt }) => {
    const { messageId } = await agent.saveMessage(ctx, { threadId, prompt, skipEmbeddings: true });
    await ctx.scheduler.runAfter(0, internal.chat.streamAsync, { threadId, promptMessageId: messageId });
    return messageId;
  },
});

export const streamAsync = internalAction({
  args: { threadId: v.string(), promptMessageId: v.string() },
  handler: async (ctx, { threadId, promptMessageId }) => {
    const result = await agent.streamText(
      ctx,
      { threadId },
      { promptMessageId },
      { saveStreamDeltas: { chunking: "word", throttleMs: 50 } },
    );
    await result.consumeStream();
  },
});

export const listThreadMessages = query({
  args: { threadId: v.string(), paginationOpts: paginationOptsValidator, streamArgs: vStreamArgs },
  handler: async (ctx, args) => {
    const paginated = await listUIMessages(ctx, components.agent, args);
    const streams = await syncStreams(ctx, components.agent, args);
    return { ...paginated, streams };
  },
});

export const rawMessages = query({
  args: { threadId: v.string() },
  handler: async (ctx, { threadId }) => {
    const { page } = await listMessages(ctx, components.agent, {
      threadId,
      paginationOpts: { numItems: 50, cursor: null },
    });
    return page.map((m) => ({
      order: m.order,
      stepOrder: m.stepOrder,
      status: m.status,
      role: m.message?.role,
      text: m.text ?? null,
      tool: m.tool,
      embeddingId: m.embeddingId ?? null,
      error: m.error ?? null,
    }));
  },
});

export const search = action({
  args: {
    userId: v.string(),
    threadId: v.string(),
    text: v.string(),
    otherThreads: v.boolean(),
    textSearch: v.boolean(),
  },
  handler: async (ctx, { userId, threadId, text, otherThreads, textSearch }) => {
    const found = await agent.fetchContextMessages(ctx, {
      userId,
      threadId,
      searchText: text,
      contextOptions: {
        recentMessages: 0,
        searchOtherThreads: otherThreads,
        searchOptions: { limit: 3, vectorSearch: !textSearch, textSearch, messageRange: { before: 0, after: 0 } },
      },
    });
    return found.map((m) => ({ threadId: m.threadId, text: m.text ?? null }));
  },
});
