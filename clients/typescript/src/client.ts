// A small typed client for Tandem: queries and mutations over HTTP POST, subscriptions over
// WebSocket (graphql-transport-ws, through the npm `graphql-ws` client). Every call takes a
// TypedDocumentNode generated from operations/, so variables and results are checked by tsc.

import { print, type DocumentNode, type GraphQLFormattedError } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/** A GraphQL response: `data` as the operation's generated type, and any errors. */
export interface Response<TData> {
  readonly data?: TData | null | undefined;
  readonly errors?: readonly GraphQLFormattedError[] | undefined;
}

/** An answer that carried errors where data was expected. */
export class GraphQLResponseError extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((e) => `${String(e.extensions?.["code"] ?? "?")}: ${e.message}`).join("; "));
    this.name = "GraphQLResponseError";
  }
}

const printed = new WeakMap<object, string>();

/** The query text of `document`, printed once. */
function text(document: DocumentNode): string {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  return query;
}

/** A Tandem client for one server and one bearer token. */
export class TandemClient {
  private ws: Client | undefined;

  /**
   * @param url the GraphQL endpoint, e.g. `http://127.0.0.1:8080/graphql`
   * @param token a bearer token (`tandem token --role …`, or the one `serve --demo` prints)
   */
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Runs a query or mutation and returns the whole response, errors included. */
  async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<Response<TData>> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
      },
      body: JSON.stringify({ query: text(document), variables }),
    });
    const type = response.headers.get("content-type") ?? "";
    if (!type.includes("json")) {
      throw new Error(`HTTP ${response.status} with ${type || "no content type"}: ${await response.text()}`);
    }
    return (await response.json()) as Response<TData>;
  }

  /** Runs a query or mutation and returns its data; any error throws GraphQLResponseError. */
  async data<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData> {
    const { data, errors } = await this.request(document, variables);
    if (errors !== undefined && errors.length > 0) {
      throw new GraphQLResponseError(errors);
    }
    if (data === undefined || data === null) {
      throw new Error("a response with neither data nor errors");
    }
    return data;
  }

  /**
   * Subscribes over WebSocket; the token goes in `connection_init`. Iterate the result for the
   * events; `return()` on it (or a `break` out of `for await`) completes the subscription.
   */
  subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): AsyncIterableIterator<Response<TData>> {
    this.ws ??= createClient({
      url: this.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
    });
    return this.ws.iterate<TData>({
      query: text(document),
      variables: variables as Record<string, unknown>,
    });
  }

  /** Closes the WebSocket, if one is open. */
  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}
