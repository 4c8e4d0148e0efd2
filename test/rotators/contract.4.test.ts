// The rotator contract (contract/suite.ts), part 4 of 4: the parts run side by side.
import { contractSuite } from "./contract/suite.js";

contractSuite(3, 4);
