package dev.sluice.cli.keys;

import dev.sluice.cli.remote.CliFailure;
import dev.sluice.cli.remote.CommandGroup;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.ApiKeyView;
import dev.sluice.client.CreatedApiKey;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceException;
import dev.sluice.client.SluiceTransportException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice keys create|ls|revoke}: the API keys of a running node, through the SDK
 * ({@code sluice.keys()}), with an admin key. Connects like every client command ({@link RemoteOptions}).
 */
@Command(name = "keys",
        description = "Make, list and revoke the API keys of a running node (needs an admin key).",
        footer = {"", "Scopes: admin, metrics, manage:<pattern>, use:<pattern>; * in a pattern stands for any run of name characters.",
                "", "Examples:",
                "  sluice keys create --name \"billing workers\" --scope use:billing-* --server https://sluice.internal:8443 --ca-cert ca.pem",
                "  export SLUICE_API_KEY=$(sluice keys create -q --name ci --scope manage:ci-* --api-key-file admin.key)",
                "  sluice keys ls -o json | jq -r '.[].id'"})
public final class KeysCommand extends CommandGroup {
    public KeysCommand() {
        super("create, ls or revoke");
    }

    @Command(name = "create", description = "Make a key; its secret is printed once and never shown again.")
    int create(@Mixin RemoteOptions remote,
               @Option(names = "--name", required = true, paramLabel = "NAME",
                       description = "What the key is for, e.g. \"billing workers\".") String name,
               @Option(names = "--scope", required = true, paramLabel = "SCOPE",
                       description = "A scope (repeat for several): admin, metrics, manage:<pattern>, use:<pattern>.") List<String> scopes,
               @Option(names = {"-q", "--quiet"},
                       description = "Print only the key, e.g. for export SLUICE_API_KEY=$(sluice keys create -q …).") boolean quiet) {
        CreatedApiKey made;
        try (Sluice sluice = remote.connect()) {
            made = sluice.keys().create(name, scopes);
        }
        Output out = remote.out();
        if (quiet) {
            out.line(made.secret());
        } else if (out.json()) {
            out.print(view(out, made.key()).put("key", made.secret()));
        } else {
            out.fields(List.of(new String[] {"id", made.key().id()}, new String[] {"name", made.key().name()},
                    new String[] {"scopes", String.join(" ", made.key().scopes())}, new String[] {"key", made.secret()}));
            out.line("Keep the key now: it is not shown again. Revoke it with: sluice keys revoke " + made.key().id());
        }
        return ExitCodes.OK;
    }

    @Command(name = "ls", aliases = "list", description = "List the keys (never their secrets).")
    int ls(@Mixin RemoteOptions remote) {
        List<ApiKeyView> keys;
        try (Sluice sluice = remote.connect()) {
            keys = sluice.keys().list();
        }
        Output out = remote.out();
        if (out.json()) {
            ArrayNode array = out.array();
            keys.forEach(k -> array.add(view(out, k)));
            out.print(array);
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (ApiKeyView k : keys) {
                rows.add(List.of(k.id(), k.name(), String.join(" ", k.scopes()),
                        k.configured() ? "(configured)" : k.createdAt() == null ? "-" : k.createdAt().toString()));
            }
            out.table(List.of("ID", "NAME", "SCOPES", "CREATED"), rows);
        }
        return ExitCodes.OK;
    }

    @Command(name = "revoke", description = "Revoke keys by id, at once: refused from the next request on.")
    int revoke(@Mixin RemoteOptions remote,
               @Parameters(arity = "1..*", paramLabel = "ID", description = "Key ids, as sluice keys ls shows them.") List<String> ids) {
        Output out = remote.out();
        ArrayNode revoked = out.array();
        try (Sluice sluice = remote.connect()) {
            for (String id : ids) {
                try {
                    sluice.keys().revoke(id);
                } catch (SluiceTransportException e) {
                    throw e;   // said as for every command: not about this key
                } catch (SluiceException e) {
                    throw new CliFailure(ExitCodes.of(e), id + ": " + e.getMessage() + " [" + e.code() + "]"
                            + (revoked.isEmpty() ? "" : "; revoked before it: " + String.join(" ", ids.subList(0, revoked.size()))), e);
                }
                revoked.add(id);
                if (!out.json()) {
                    out.line("revoked " + id);
                }
            }
        }
        if (out.json()) {
            out.print(out.object().set("revoked", revoked));
        }
        return ExitCodes.OK;
    }

    private static ObjectNode view(Output out, ApiKeyView k) {
        ObjectNode n = out.object();
        n.put("id", k.id());
        n.put("name", k.name());
        ArrayNode scopes = n.putArray("scopes");
        k.scopes().forEach(scopes::add);
        n.put("createdAt", k.createdAt() == null ? null : k.createdAt().toString());
        n.put("source", k.configured() ? "config" : "store");
        return n;
    }
}
