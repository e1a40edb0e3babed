package dev.sluice.server.http;

import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** Answers a request when its operation has committed, holding no thread meanwhile. */
public final class Async {
    private Async() {}

    public static <T> void respond(Context ctx, CompletableFuture<T> operation, BiConsumer<Context, T> answer) {
        ctx.future(() -> operation.handle((value, failure) -> {
            if (failure != null) {
                Problems.handle(failure, ctx);
            } else {
                try {
                    answer.accept(ctx, value);
                } catch (RuntimeException e) {
                    Problems.handle(e, ctx);
                }
            }
            return null;
        }));
    }
}
