package org.daair.stream.cli;

import org.daair.stream.engine.EngineProperties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code daair}: restore rain, haze, noise, blur and low light in images, video files and streams. */
@Command(name = "daair", mixinStandardHelpOptions = true, version = "daair-stream 0.1.0",
        description = {"Restores rainy, hazy, noisy, blurred and dark video and images with DaAIR,",
                "an all-in-one degradation-aware restoration network.", ""},
        subcommands = {RestoreCommand.class, ReportCommand.class, EvalCommand.class, BenchCommand.class, DistributedCommands.Broker.class, DistributedCommands.Ingest.class,
                DistributedCommands.Worker.class, DistributedCommands.Sink.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  daair restore samples/frames -o out/                 (a folder of images)",
                "  daair restore samples/car-park-rain.mp4 -o out.mp4",
                "  daair eval --clean samples/temporal/car-park-clean.mp4 \\",
                "             --degraded samples/temporal/car-park-degraded.mp4",
                "  ffmpeg -i in.mp4 -f yuv4mpegpipe - | daair restore - -o - | ffmpeg -i - out.mp4",
                "  daair broker & daair worker & \\",
                "  daair ingest --source rtsp://cam/1 --stream-id cam1 & daair sink --stream-id cam1 -o cam1.mp4"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** The command line as users get it (also what the help tests read). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpWidth(100);   // the descriptions are written in lines of up to 98 characters
        return cl;
    }

    public static int execute(String... args) {
        EngineProperties.ensureOffline();
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            System.err.println("daair: error: " + oneLine(ex));
            return 1;
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
