/**
 * The backend conformance kit, shipped as the {@code ibex-spi} test-jar: a scalar reference backend
 * ({@link dev.ibex.spi.conformance.ReferenceBackend}, written for obviousness, not speed) and abstract JUnit 5
 * test classes, one per kernel family, that compare any backend with it on random shapes, odd sizes included,
 * and check every backward kernel against finite differences.
 *
 * <p>A third-party backend adds the test-jar as a test dependency and extends each {@code *Conformance} class,
 * returning its backend from {@link dev.ibex.spi.conformance.ConformanceSupport#backendUnderTest()}.
 */
package dev.ibex.spi.conformance;
