extension Assets {
    /// `GET /openapi.yaml`. The tests check that its paths and methods are exactly the
    /// server's routes; the browser test validates it with openapi-spec-validator.
    static let openAPI = #"""
openapi: 3.0.3
info:
  title: stylize serve
  version: "1"
  description: |
    Local web app and HTTP API of stylize: arbitrary style transfer (AdaIN, Magenta) and the
    side-by-side comparison of the normalizations (AdaIN, AdaBN, AdaLN, AdaGN).
    One job runs at a time on the server's thread budget; up to `--queue` wait, more are
    answered 429 with Retry-After. Every error is JSON (`Error`).
servers:
  - url: http://127.0.0.1:8080
paths:
  /:
    get:
      summary: The web page (stylize and compare views)
      operationId: page
      responses:
        "200":
          description: HTML page
          content:
            text/html:
              schema: {type: string}
  /app.js:
    get:
      summary: The page's script
      operationId: pageScript
      responses:
        "200":
          description: JavaScript
          content:
            text/javascript:
              schema: {type: string}
  /live:
    get:
      summary: The web page, opening its live view with the camera at once
      description: |
        Query parameters set the live view's controls (each passed to the server as given):
        model, style_name, preset, alpha, norm, groups, match (moments, covariance or
        distribution; the AdaIN family), stats (frame or running), size (240,
        360 or 480: the frames' shorter side), mirror (1/0) and transport (rgba, the default,
        or jpeg).
      operationId: livePage
      responses:
        "200":
          description: HTML page
          content:
            text/html:
              schema: {type: string}
  /live.js:
    get:
      summary: The live view's script
      operationId: liveScript
      responses:
        "200":
          description: JavaScript
          content:
            text/javascript:
              schema: {type: string}
  /v1/live:
    get:
      summary: The live view's WebSocket (upgrade with Upgrade websocket)
      description: |
        A WebSocket (RFC 6455). The server first sends a text message {"type": "hello",
        "limits": {...}, "controls": {...}, "version": 0}. The client sends controls as text,
        {"type": "controls", "model": "adain", "style_name": "autumn.jpg" | "preset": "3",
        "alpha": 1, "norm": "instance|batch|layer|group", "groups": 32,
        "match": "moments|covariance|distribution", "stats": "frame|running"}
        (fields given change, the others stay); the server answers {"type": "controls",
        "version": N, "controls": {...}}, or an error and nothing changes. Frames are binary:
        a 24-byte header ("SLF1", frame number u32, width u16, height u16, format u8 0 = RGBA
        / 1 = JPEG, 3 zero bytes, u32 0, u32 0; little-endian) and the pixels; each is
        answered with the stylized frame, same header with the controls' version and the
        server's microseconds in the last two fields. One frame in flight per client: a frame
        sent before the last came back is refused (busy). A binary "SLS1" + JPEG/PNG file
        uploads a style. Errors are text, {"type": "error", "code", "message", "field"?,
        "frame"?, "closes"?}: bad_frame, frame_too_large, busy, missing_style, bad_option,
        bad_message, unknown_style, model_unavailable, and, closing the connection,
        too_many_clients (1013), idle (1000), message_too_large (1009). An upgrade with a
        foreign Origin or a non-loopback Host (on a loopback server), or with the live view
        off (--live-clients 0), is refused before any WebSocket exists (400, no body).
      operationId: live
      responses:
        "101":
          description: Switching to the WebSocket
        "426":
          description: "A plain GET: upgrade_required"
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        "503":
          description: "live_off: the live view is turned off (--live-clients 0)"
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
  /app.css:
    get:
      summary: The page's stylesheet
      operationId: pageStylesheet
      responses:
        "200":
          description: CSS
          content:
            text/css:
              schema: {type: string}
  /openapi.yaml:
    get:
      summary: This document
      operationId: openAPI
      responses:
        "200":
          description: OpenAPI 3 document
          content:
            application/yaml:
              schema: {type: string}
  /healthz:
    get:
      summary: Liveness and the job queue
      operationId: health
      responses:
        "200":
          description: The server is up
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Health"}
  /v1/models:
    get:
      summary: The model families and whether each can run here
      operationId: models
      responses:
        "200":
          description: Models
          content:
            application/json:
              schema:
                type: object
                required: [models]
                properties:
                  models:
                    type: array
                    items: {$ref: "#/components/schemas/Model"}
  /v1/styles:
    get:
      summary: The style images of the styles folder
      operationId: styles
      responses:
        "200":
          description: Style images, sorted by name (empty without a styles folder)
          content:
            application/json:
              schema:
                type: object
                required: [styles]
                properties:
                  styles:
                    type: array
                    items: {$ref: "#/components/schemas/Style"}
  /v1/styles/{name}:
    get:
      summary: One style image of the folder, by its listed name
      operationId: styleImage
      parameters:
        - name: name
          in: path
          required: true
          schema: {type: string}
          description: A name from GET /v1/styles (anything else, e.g. `..`, is 404)
      responses:
        "200":
          description: The image file
          content:
            image/jpeg:
              schema: {type: string, format: binary}
            image/png:
              schema: {type: string, format: binary}
        "404": {$ref: "#/components/responses/Error"}
  /v1/stylize:
    post:
      summary: Stylize a content image
      operationId: stylize
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [content]
              description: Exactly one of style, style_name and preset.
              properties:
                content: {type: string, format: binary, description: JPEG or PNG}
                style: {type: string, format: binary, description: A style image (JPEG or PNG)}
                style_name: {type: string, description: A name from GET /v1/styles}
                preset: {type: string, description: "Magenta preset: an index 0-25 or a blend such as 3:0.5,12:0.5 (implies model=magenta)", example: "19"}
                model: {type: string, enum: [adain, magenta], default: adain}
                alpha: {type: number, minimum: 0, maximum: 1, default: 1, description: Style strength}
                norm: {type: string, enum: [instance, batch, layer, group], default: instance}
                groups: {type: integer, minimum: 1, default: 32, description: G for norm=group (must divide the channels)}
                match: {type: string, enum: [moments, covariance, distribution], default: moments, description: "Which statistics the swap matches: moments (AdaIN), covariance (WCT; with norm instance, group or batch) or distribution (EFDM; with norm instance). model=adain only"}
                preserve_color: {type: boolean, default: false}
                content_size: {type: integer, minimum: 0, default: 512, description: Shorter side in pixels; 0 keeps the size}
                style_size: {type: integer, minimum: 0, default: 512}
                format: {type: string, enum: [png, jpeg, jpg], description: "Default: the content's format"}
                quality: {type: integer, minimum: 1, maximum: 100, default: 92, description: JPEG quality}
      responses:
        "200":
          description: The stylized image, at the content's size after content_size
          headers:
            X-Stylize-Size: {schema: {type: string}, description: WIDTHxHEIGHT}
            X-Stylize-Seconds: {schema: {type: string}, description: "Seconds of decoding, stylizing and encoding"}
            X-Stylize-Queue-Seconds: {schema: {type: string}, description: Seconds spent waiting in the queue}
          content:
            image/png:
              schema: {type: string, format: binary}
            image/jpeg:
              schema: {type: string, format: binary}
        "400": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
        "429": {$ref: "#/components/responses/Busy"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/compare:
    post:
      summary: Every statistic-swap variant (norm x match) side by side, with distances
      operationId: compare
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [content]
              description: Exactly one of style and style_name.
              properties:
                content: {type: string, format: binary}
                style: {type: string, format: binary}
                style_name: {type: string}
                model: {type: string, enum: [adain, magenta], default: adain}
                alpha: {type: number, minimum: 0, maximum: 1, default: 1}
                norms: {type: string, default: "instance,batch,layer,group", description: Comma-separated norms}
                matches: {type: string, default: "moments,covariance,distribution", description: "Comma-separated statistic matches, each run under every norm of norms it combines with (at most 12 variants); default moments only for model=magenta"}
                groups: {type: string, default: "8,32", description: Comma-separated G values (one AdaGN variant each)}
                contrast: {type: number, minimum: 0, maximum: 4, default: 1, description: "x' = 0.5 + contrast (x - 0.5)"}
                brightness: {type: number, minimum: -1, maximum: 1, default: 0, description: "x' = x + brightness"}
                content_size: {type: integer, minimum: 16, maximum: 1024, default: 256}
                style_size: {type: integer, minimum: 16, maximum: 1024, default: 256}
      responses:
        "200":
          description: The variants
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Comparison"}
        "400": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
        "429": {$ref: "#/components/responses/Busy"}
        "503": {$ref: "#/components/responses/Error"}
components:
  responses:
    Error:
      description: "The problem, named: bad_request, unknown_style, unknown_preset, too_large, too_many_pixels, over_budget, not_an_image, bad_image, time_limit, model_unavailable, ..."
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    Busy:
      description: A job is running and the queue is full
      headers:
        Retry-After: {schema: {type: integer}, description: Seconds until a place is likely free}
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [status, code, message]
          properties:
            status: {type: integer}
            code: {type: string}
            message: {type: string}
    Health:
      type: object
      required: [status, threads, queue]
      properties:
        status: {type: string, enum: [ok]}
        threads: {type: integer}
        max_memory_bytes: {type: integer, description: "budget of the whole server (--max-memory)"}
        job_memory_bytes: {type: integer, description: "budget of one job: the server's minus the uploads it may hold"}
        max_upload_bytes: {type: integer}
        timeout_seconds: {type: number}
        server_overhead_bytes: {type: integer, description: "what the server may hold besides a job: uploads, live clients, itself"}
        live:
          type: object
          properties:
            clients: {type: integer, description: live connections open now}
            capacity: {type: integer, description: "--live-clients"}
            refused: {type: integer}
            frames: {type: integer, description: live frames stylized since start}
            waiting: {type: integer}
            max_pixels: {type: integer}
            idle_seconds: {type: number}
        queue:
          type: object
          properties:
            running: {type: boolean}
            waiting: {type: integer}
            capacity: {type: integer}
            completed: {type: integer}
            rejected: {type: integer}
            withdrawn: {type: integer}
            mean_seconds: {type: number}
    Model:
      type: object
      required: [id, available, style_images, presets, norms, matches]
      properties:
        id: {type: string, enum: [adain, magenta]}
        name: {type: string}
        available: {type: boolean}
        style_images: {type: boolean}
        presets: {type: boolean}
        preset_count: {type: integer}
        norms: {type: array, items: {type: string}}
        matches: {type: array, items: {type: string}, description: Statistic matches the family runs}
        weights: {type: string}
        reason: {type: string, description: Why it cannot run (missing weights)}
    Style:
      type: object
      required: [name, url]
      properties:
        name: {type: string}
        format: {type: string, enum: [jpeg, png]}
        bytes: {type: integer}
        url: {type: string}
    Comparison:
      type: object
      required: [model, width, height, content, variants, skipped]
      properties:
        model: {type: string}
        width: {type: integer}
        height: {type: integer}
        alpha: {type: number}
        contrast: {type: number}
        brightness: {type: number}
        content: {type: string, description: The adjusted content as a data URL}
        seconds: {type: number}
        queue_seconds: {type: number}
        variants:
          type: array
          items:
            type: object
            required: [name, norm, match, style_distance, content_distance, image]
            properties:
              name: {type: string, example: WCT}
              norm: {type: string, example: instance}
              match: {type: string, enum: [moments, covariance, distribution]}
              caption: {type: string, description: "What the swap matches, in one line"}
              style_distance: {type: number, description: "Mean/std distance of the encoder taps, output vs style (lower: closer)"}
              content_distance: {type: number, description: "Deepest tap, output vs content"}
              change:
                type: number
                nullable: true
                description: "Mean |output - output on the unadjusted content| on [0, 1]; null when unadjusted"
              seconds: {type: number}
              image: {type: string, description: JPEG data URL}
        skipped:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              reason: {type: string}
"""#
}
