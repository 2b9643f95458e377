package org.daair.stream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.daair.stream.common.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The route listener reports each frame's route and the classifier's own probability of it, on the shipped graphs. */
class RouteDecisionTest {

    @Test
    @Timeout(120)
    void confidenceIsTheClassifiersProbabilityOfTheChosenRoute() throws Exception {
        List<RouteDecision> heard = new ArrayList<>();
        ModelBundle bundle = ModelBundle.load(TestModels.models());
        try (RestoreEngine engine = RestoreEngine.builder().setModelDir(TestModels.models()).optThreads(2)
                .optRouteListener(heard::add).build();
             Classifier classifier = new Classifier(new OnnxGraph(bundle.graph("classifier"), "cpu", 2), bundle.degradations().size())) {
            List<String> routes = new ArrayList<>();
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // images (named frames) are routed by their own argmax: no smoothing between them
                Frame f = new Frame("imgs", i, 0, 96, 64, RestoreEngineTest.scene(96, 64, 11 + i), null, "img" + i + ".png");
                frames.add(f);
                routes.add(engine.route(f));
            }
            assertEquals(frames.size(), heard.size());
            for (int i = 0; i < frames.size(); i++) {
                RouteDecision d = heard.get(i);
                float[] p = classifier.probabilities(frames.get(i));
                int k = bundle.degradations().indexOf(d.route());
                assertEquals(routes.get(i), d.route());
                assertEquals(i, d.seq());
                assertEquals("imgs", d.streamId());
                assertTrue(d.classified());
                assertEquals(p[k], d.confidence(), 1e-5, "frame " + i);
                for (float q : p) {
                    assertTrue(q <= p[k] + 1e-6, "an image's route is its most likely class");
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void aForcedTaskHasNoConfidence() throws Exception {
        List<RouteDecision> heard = new ArrayList<>();
        try (RestoreEngine engine = RestoreEngine.builder().setModelDir(TestModels.models()).optTask(Task.DEHAZE).optThreads(2)
                .optRouteListener(heard::add).build()) {
            engine.route(new Frame("cam", 7, 0, 32, 32, RestoreEngineTest.scene(32, 32, 3), null, null));
        }
        assertEquals(1, heard.size());
        assertEquals("dehaze", heard.get(0).route());
        assertEquals(7, heard.get(0).seq());
        assertFalse(heard.get(0).classified());
    }
}
