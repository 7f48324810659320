/**
 * The {@code ibex} command line. Requires the core only: plugins are found on the module path by service binding,
 * so an image without a plugin simply runs without it.
 */
module dev.ibex.app {
    requires dev.ibex.api;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    opens dev.ibex.app to info.picocli;
}
