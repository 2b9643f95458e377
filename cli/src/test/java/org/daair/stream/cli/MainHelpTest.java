package org.daair.stream.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `daair --help`: the list of commands, as a user reads it first. */
class MainHelpTest {

    /**
     * Each command's line in the list is a whole sentence on one line. The list shows the first
     * line of a command's header, or else of its description; descriptions that wrap at a fixed
     * width left "for trying the" and "their ratio," there (session 21).
     */
    @Test
    void everyCommandIsSummedUpByAWholeSentenceOnItsLine() {
        CommandLine main = Main.commandLine();
        String usage = main.getUsageMessage();
        for (Map.Entry<String, CommandLine> e : main.getSubcommands().entrySet()) {
            CommandLine.Model.UsageMessageSpec spec = e.getValue().getCommandSpec().usageMessage();
            String summary = spec.header().length > 0 ? spec.header()[0] : spec.description()[0];
            assertTrue(summary.endsWith("."), e.getKey() + ": \"" + summary + "\" is not a whole sentence");
            assertTrue(usage.lines().anyMatch(l -> l.trim().startsWith(e.getKey() + " ") && l.endsWith(summary)),
                    e.getKey() + ": its summary does not fit on its line of the list:\n" + usage);
        }
    }

    /**
     * No line written for the help is wider than the help's width, so picocli never wraps one (a
     * wrapped example, "out.\nmp4", cannot be pasted): the headers, descriptions and footers of
     * daair and of every command.
     */
    @Test
    void noLineWrittenForTheHelpIsWrapped() {
        CommandLine main = Main.commandLine();
        int width = main.getUsageHelpWidth();
        java.util.List<CommandLine> all = new java.util.ArrayList<>(main.getSubcommands().values());
        all.add(main);
        for (CommandLine c : all) {
            CommandLine.Model.UsageMessageSpec spec = c.getCommandSpec().usageMessage();
            for (String[] lines : new String[][] {spec.header(), spec.description(), spec.footer()}) {
                for (String l : lines) {
                    assertTrue(l.length() <= width - 2, c.getCommandName() + " wraps at " + width + ": " + l);
                }
            }
        }
    }

    /**
     * An option or parameter described in several lines has one item per line (each ends in '.',
     * ':' or ';'): a sentence split over lines by hand was cut again where picocli wraps, leaving
     * ragged lines ("on by default for live" / "inputs (port 9460)").
     */
    @Test
    void optionsAreDescribedInWholeItemsPerLine() {
        CommandLine main = Main.commandLine();
        for (CommandLine c : main.getSubcommands().values()) {
            java.util.List<CommandLine.Model.ArgSpec> args = new java.util.ArrayList<>(c.getCommandSpec().options());
            args.addAll(c.getCommandSpec().positionalParameters());
            for (CommandLine.Model.ArgSpec a : args) {
                String[] d = a.description();
                for (int i = 0; i + 1 < d.length; i++) {
                    String l = d[i].stripTrailing();
                    assertTrue(l.endsWith(".") || l.endsWith(":") || l.endsWith(";"),
                            c.getCommandName() + " " + a.paramLabel() + ": a line ends mid-sentence: " + l);
                }
            }
        }
    }
}
