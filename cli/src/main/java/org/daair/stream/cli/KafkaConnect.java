package org.daair.stream.cli;

import java.util.Map;
import org.daair.stream.config.ConfigException;
import org.daair.stream.config.Settings;
import org.daair.stream.kafka.KafkaFrames;
import org.daair.stream.kafka.KafkaSecurity;

/** Kafka clients for the commands, with the TLS/SASL settings ({@code kafka.*}) applied. */
final class KafkaConnect {
    private KafkaConnect() {
    }

    /**
     * @param env the environment the {@code kafka.*_env} settings name ({@code System.getenv()})
     * @throws ConfigException when the security settings are inconsistent or a secret is missing
     */
    static KafkaFrames connect(String bootstrap, Settings settings, Map<String, String> env) throws ConfigException {
        try {
            return KafkaFrames.connect(bootstrap).withSecurity(KafkaSecurity.fromSettings(settings.asMap(), env));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    static KafkaFrames connect(String bootstrap, Settings settings) throws ConfigException {
        return connect(bootstrap, settings, System.getenv());
    }
}
