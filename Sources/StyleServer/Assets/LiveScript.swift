extension Assets {
    /// The live view's behaviour (loaded after `app.js`): placeholder.
    static let liveScript = #"""
"use strict";
"""#
}
