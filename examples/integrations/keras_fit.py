"""Keras 3 (torch backend) with lossdoctor's callback: python keras_fit.py [run]."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
from toy import chosen, data  # noqa: E402

from lossdoctor.integrations.keras import LossDoctorCallback  # noqa: E402

run = chosen()
keras.utils.set_random_seed(0)
outputs = 2 if run["task"] == "cls" else 1
model = keras.Sequential([keras.Input((20,)),
                          keras.layers.Dense(run["hidden"], activation="relu"),
                          keras.layers.Dense(outputs)])
optimizer = (keras.optimizers.Adam if run["optimizer"] == "adam" else keras.optimizers.SGD)(
    run["lr"])
model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True)
              if outputs == 2 else "mse")
doctor = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop",
                            report_path="keras-report.md")
history = model.fit(*data(run, 0), validation_data=data(run, 1), batch_size=run["batch"],
                    epochs=run["epochs"], verbose=0, callbacks=[doctor])
print(f"epochs run: {len(history.history['loss'])} of {run['epochs']}; learning rate now "
      f"{float(model.optimizer.learning_rate):.3g}; "
      f"val_loss now {model.evaluate(*data(run, 1), verbose=0):.4f}")
