package dev.memoria.integration;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module structure, kept by the build: core knows no backend, backends know no each other,
 * adapters know only core, and core's packages have no cycle (in particular none between the API
 * packages and the SPI).
 */
class ArchitectureTest {
    private static final String[] BACKENDS = {"dev.memoria.jdbc..", "dev.memoria.mongodb.."};
    private static final String[] ADAPTERS = {"dev.memoria.langchain4j..", "dev.memoria.springai.."};
    private static final String[] CORE = {"dev.memoria", "dev.memoria.session..", "dev.memoria.run..",
        "dev.memoria.memory..", "dev.memoria.runtime..", "dev.memoria.inmemory..", "dev.memoria.spi..",
        "dev.memoria.internal..", "dev.memoria.context..", "dev.memoria.fact.."};
    private static JavaClasses memoria;

    @BeforeAll
    static void importClasses() {
        memoria = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.memoria");
    }

    @Test
    void coreKnowsNoBackendAdapterOrTool() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat()
                .resideInAnyPackage("dev.memoria.jdbc..", "dev.memoria.mongodb..", "dev.memoria.cli..",
                        "dev.memoria.testkit..", "dev.memoria.testservers..", "dev.memoria.bench..", "dev.memoria.langchain4j..",
                        "dev.memoria.springai..")
                .check(memoria);
    }

    @Test
    void backendsKnowNoOtherBackendAndNoTool() {
        noClasses().that().resideInAPackage("dev.memoria.jdbc..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.memoria.mongodb..", "dev.memoria.cli..", "dev.memoria.testkit..")
                .check(memoria);
        noClasses().that().resideInAPackage("dev.memoria.mongodb..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.memoria.jdbc..", "dev.memoria.cli..", "dev.memoria.testkit..")
                .check(memoria);
    }

    @Test
    void adaptersKnowOnlyCore() {
        noClasses().that().resideInAnyPackage(ADAPTERS).should().dependOnClassesThat()
                .resideInAnyPackage(BACKENDS).orShould().dependOnClassesThat()
                .resideInAnyPackage("dev.memoria.cli..", "dev.memoria.testkit..", "dev.memoria.testservers..")
                .check(memoria);
        noClasses().that().resideInAPackage("dev.memoria.langchain4j..").should().dependOnClassesThat()
                .resideInAPackage("dev.memoria.springai..").check(memoria);
        noClasses().that().resideInAPackage("dev.memoria.springai..").should().dependOnClassesThat()
                .resideInAPackage("dev.memoria.langchain4j..").check(memoria);
    }

    @Test
    void coreHasNoPackageCycles() {
        slices().matching("dev.memoria.(*)..").should().beFreeOfCycles().check(memoria);
    }

    @Test
    void theValueTypesDoNotDependOnTheSpi() {
        noClasses().that().resideInAnyPackage("dev.memoria.session..", "dev.memoria.run..", "dev.memoria.memory..",
                "dev.memoria.fact..", "dev.memoria.internal..").should().dependOnClassesThat().resideInAPackage("dev.memoria.spi..")
                .check(memoria);
    }
}
