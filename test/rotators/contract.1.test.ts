// The rotator contract (contract/suite.ts), part 1 of 4: the parts run side by side.
import { contractSuite } from "./contract/suite.js";

contractSuite(0, 4);
