// An Agent as the docs define one: an OpenAI chat model and embedding model from `@ai-sdk/openai`
// (which reads `OPENAI_API_KEY` and `OPENAI_BASE_URL` from the deployment's environment), a tool
// with Convex context, and a step limit so the model can answer after calling it.
import { Agent, createTool, stepCountIs } from "@convex-dev/agent";
import { openai } from "@ai-sdk/openai";
import { z } from "zod";
import { components, internal } from "./_generated/api";

export const getWeather = createTool({
  description: "Get the weather for a city",
  inputSchema: z.object({ city: z.string().describe("The city") }),
  execute: async (ctx, { city }): Promise<string> => {
    const forecast: string = await ctx.runQuery(internal.weather.forecast, { city });
    return forecast;
  },
});

export const agent = new Agent(components.agent, {
  name: "Weather Agent",
  languageModel: openai.chat("gpt-4o-mini"),
  embeddingModel: openai.embedding("text-embedding-3-small"),
  instructions: "You are a weather forecaster.",
  tools: { getWeather },
  stopWhen: stepCountIs(3),
  contextOptions: { recentMessages: 20 },
});
