package dev.sluice.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void parsesAndWritesBackEachKind() {
        for (String s : new String[] {"admin", "metrics", "manage:pay-*", "use:*", "use:a.b_c-d", "manage:*x*y*"}) {
            assertThat(Scope.parse(s).toString()).isEqualTo(s);
        }
        assertThat(Scope.parse("use:pay-*")).isEqualTo(Scope.use("pay-*"));
    }

    @Test
    void refusesMalformedScopes() {
        for (String s : new String[] {"", "Admin", "root", "use", "use:", "manage:", "use:Pay", "use:a b", "use:a/b", "use:é",
                "manage:" + "a".repeat(129), "use:pay-*,use:x", " admin", "metrics:x", "admin:*"}) {
            assertThatThrownBy(() -> Scope.parse(s)).as(s).isInstanceOf(SluiceException.class);
        }
    }

    @Test
    void eachKindAllowsItsOwnActionsOnlyOnCoveredSemaphores() {
        Scope manage = Scope.manage("pay-*");
        Scope use = Scope.use("pay-*");
        for (Action a : Action.values()) {
            assertThat(Scope.ADMIN.allows(a, "anything")).isTrue();
            assertThat(Scope.ADMIN.allows(a, null)).isTrue();
            assertThat(Scope.METRICS.allows(a, "pay-eu")).isEqualTo(a == Action.METRICS);
            assertThat(manage.allows(a, "pay-eu")).as("manage " + a).isEqualTo(a == Action.MANAGE || a == Action.MANAGE_OR_USE);
            assertThat(use.allows(a, "pay-eu")).as("use " + a).isEqualTo(a == Action.USE || a == Action.MANAGE_OR_USE);
            assertThat(manage.allows(a, "payroll")).isFalse();
            assertThat(use.allows(a, "xpay-eu")).isFalse();
            assertThat(use.allows(a, null)).as("use grants nothing that is not on a semaphore").isFalse();
        }
    }

    @Test
    void globsMatchWholeNames() {
        assertThat(Scope.matches("pay-*", "pay-")).isTrue();
        assertThat(Scope.matches("pay-*", "pay-eu.1")).isTrue();
        assertThat(Scope.matches("pay-*", "pay")).isFalse();
        assertThat(Scope.matches("*-eu", "pay-eu")).isTrue();
        assertThat(Scope.matches("*-eu", "pay-eu-2")).isFalse();
        assertThat(Scope.matches("a*b*c", "aXXbYYc")).isTrue();
        assertThat(Scope.matches("a*b*c", "aXXcYYb")).isFalse();
        assertThat(Scope.matches("exact", "exact")).isTrue();
        assertThat(Scope.matches("exact", "exact2")).isFalse();
        assertThat(Scope.matches("*", "")).isTrue();
        assertThat(Scope.matches("a.b", "aXb")).as("a dot is a dot, not any character").isFalse();
    }

    @Property(tries = 2000)
    void globMatchingAgreesWithARegularExpression(@ForAll("globs") String glob, @ForAll("names") String name) {
        String regex = Pattern.quote(glob).replace("*", "\\E.*\\Q");
        assertThat(Scope.matches(glob, name)).isEqualTo(name.matches(regex));
    }

    @Provide
    Arbitrary<String> globs() {
        return Arbitraries.strings().withChars("ab.-*").ofMinLength(1).ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("ab.-").ofMinLength(0).ofMaxLength(10);
    }

    @Test
    void aKeyAllowsWhatAnyOfItsScopesAllows() {
        ApiKey key = new ApiKey("key_1", "ops", "0".repeat(64), java.util.List.of(Scope.manage("a-*"), Scope.use("b-*")),
                java.time.Instant.EPOCH);
        assertThat(key.allows(Action.MANAGE, "a-1")).isTrue();
        assertThat(key.allows(Action.USE, "a-1")).isFalse();
        assertThat(key.allows(Action.USE, "b-1")).isTrue();
        assertThat(key.allows(Action.MANAGE, "b-1")).isFalse();
        assertThat(key.allows(Action.MANAGE_OR_USE, "b-1")).isTrue();
        assertThat(key.allows(Action.ADMIN, null)).isFalse();
        assertThat(key.toString()).doesNotContain("0".repeat(64));
    }
}
