package dev.sluice.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates {@code docs/simulator-spikes.html} from the spikes preset. Skipped unless asked:
 * {@code ./mvnw -q -pl sim test -Dtest=WriteDocsTest -Dsluice.writeDocs=true}.
 */
class WriteDocsTest {

    @Test
    @EnabledIfSystemProperty(named = "sluice.writeDocs", matches = "true")
    void writeSpikesReport() throws Exception {
        Scenario s = Scenario.spikes();
        String html = HtmlReport.render(s, Simulator.run(s, Mode.SYNC), Simulator.run(s, Mode.ASYNC));
        Path docs = Path.of("").toAbsolutePath().getParent().resolve("docs");
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("simulator-spikes.html"), html);
        System.out.println("wrote " + docs.resolve("simulator-spikes.html"));
    }
}
